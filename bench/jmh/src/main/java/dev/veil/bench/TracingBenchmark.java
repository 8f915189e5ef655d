package dev.veil.bench;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.veil.server.config.ConfigLoader;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.telemetry.RequestTelemetry;
import dev.veil.spi.Usage;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What tracing adds to one request: the telemetry calls the request path makes — the server span continuing a
 * client's traceparent, the auth, policy and upstream-attempt child spans, the traceparent written upstream, the
 * span's attributes and the request metrics — with the SDK as Veil configures it for export (batch span processor,
 * periodic metric reader; the exporters discard, so the network is not measured), against OpenTelemetry's no-op.
 * Plugin spans are left out: they cost the same here as in the plugin-chain benchmark.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TracingBenchmark {
    @Param({"off", "on"})
    String tracing;

    private OpenTelemetry openTelemetry;
    private RequestTelemetry telemetry;
    private Tracer tracer;
    private final Map<String, String> headers = Map.of("traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    private final Caller caller = new Caller("k_1", "acme", "support", Map.of());
    private final Outcome outcome = new Outcome(200, Optional.empty(), Optional.of(Usage.of(120, 40)),
            Duration.ofMillis(3), Optional.of("openai"), Optional.of("gpt-4o"), 1, false);

    @Setup(Level.Trial)
    public void setUp() {
        if (tracing.equals("on")) {
            openTelemetry = OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder()
                            .addSpanProcessor(BatchSpanProcessor.builder(new Discard()).build()).build())
                    .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(PeriodicMetricReader
                            .builder(new DiscardMetrics()).setInterval(Duration.ofSeconds(10)).build()).build())
                    .build();
        } else {
            openTelemetry = OpenTelemetry.noop();
        }
        // gpt-4o is a configured model, so the metrics label it as a real deployment would.
        telemetry = new RequestTelemetry(openTelemetry, ConfigLoader.fromYaml("""
                veil:
                  master-key: bench-master-key
                  opa: {url: "http://127.0.0.1:8181"}
                  providers:
                    openai: {kind: openai, api-key: k, models: [gpt-4o]}
                """, Map.<String, String>of()::get));
        tracer = openTelemetry.getTracer("dev.veil.server");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (openTelemetry instanceof OpenTelemetrySdk sdk) {
            sdk.close();
        }
    }

    @Benchmark
    public Map<String, String> request() {
        Span server = telemetry.start(headers::get, "chat", "openai.chat", "req_1");
        Map<String, String> upstream = new HashMap<>(2);
        try (Scope ignored = server.makeCurrent()) {
            telemetry.authenticate(() -> caller);
            RequestTelemetry.model(server, "chat", "smart", true);
            child("veil.policy", SpanKind.INTERNAL).end();
            Span attempt = child("chat gpt-4o", SpanKind.CLIENT);
            try (Scope inner = attempt.makeCurrent()) {
                W3CTraceContextPropagator.getInstance().inject(Context.current(), upstream, Map::put);
            }
            attempt.end();
            ServerExchange exchange = new ServerExchange("req_1", "openai.chat", caller, false, Map.of(),
                    System.nanoTime());
            telemetry.finish(server, Optional.of(exchange), outcome, Optional.of("openai"), List.of("stop"), 1_234);
        }
        return upstream;
    }

    private Span child(String name, SpanKind kind) {
        return tracer.spanBuilder(name).setSpanKind(kind).startSpan();
    }

    /** Takes spans and drops them: export cost is the collector's, not the request's. */
    private static final class Discard implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /** Takes metrics and drops them. */
    private static final class DiscardMetrics implements MetricExporter {
        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(
                InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }
    }
}
