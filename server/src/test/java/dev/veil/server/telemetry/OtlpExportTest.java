package dev.veil.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.TelemetryConfig;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.sdk.OpenTelemetrySdk;

/**
 * Export over OTLP http/protobuf to a receiver started by the test, which decodes what arrives with the OTLP
 * protobuf schema: configured from {@code veil.telemetry} exactly as {@code veil run} configures it.
 */
class OtlpExportTest {
    private final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
    private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
    private HttpServer receiver;
    private FakeOpenAiUpstream upstream;

    @BeforeEach
    void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            traces.add(ExportTraceServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes()));
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.createContext("/v1/metrics", exchange -> {
            metrics.add(ExportMetricsServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes()));
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
    }

    @AfterEach
    void stop() throws IOException {
        receiver.stop(0);
        upstream.close();
    }

    @Test
    void exportsTheRequestSpanAndMetricsOverOtlpHttp() {
        String yaml = VeilUnderTest.config(upstream, """
                  telemetry:
                    exporter: otlp
                    protocol: http/protobuf
                    endpoint: "http://127.0.0.1:%d"
                    service-name: veil-under-test
                """.formatted(receiver.getAddress().getPort()));
        Optional<TelemetryConfig> config = ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get).telemetry();
        OpenTelemetrySdk sdk = TelemetrySdk.create(config);
        try (VeilUnderTest veil = VeilUnderTest.startTraced(yaml, sdk)) {
            assertThat(veil.post("/v1/chat/completions", """
                    {"model":"smart","messages":[{"role":"user","content":"hi"}]}""").statusCode()).isEqualTo(200);
        }
        sdk.close();

        assertThat(traces).flatExtracting(request -> request.getResourceSpansList())
                .anySatisfy(resource -> {
                    assertThat(resource.getResource().getAttributesList()).extracting(KeyValue::getKey)
                            .contains("service.name");
                    assertThat(resource.getResource().getAttributesList()).filteredOn(kv -> kv.getKey()
                            .equals("service.name")).singleElement()
                            .satisfies(kv -> assertThat(kv.getValue().getStringValue()).isEqualTo("veil-under-test"));
                    assertThat(resource.getScopeSpansList()).flatExtracting(scope -> scope.getSpansList())
                            .extracting(span -> span.getName()).contains("chat smart", "chat gpt-4o");
                });
        assertThat(metrics).flatExtracting(request -> request.getResourceMetricsList())
                .flatExtracting(resource -> resource.getScopeMetricsList())
                .flatExtracting(scope -> scope.getMetricsList())
                .extracting(metric -> metric.getName()).contains("veil.requests", "veil.request.duration");
    }

    @Test
    void recordsNoSpansWhenNothingExportsThem() {
        try (OpenTelemetrySdk sdk = TelemetrySdk.create(Optional.empty())) {
            var span = sdk.getTracer("test").spanBuilder("chat smart").startSpan();
            assertThat(span.isRecording()).isFalse();
            assertThat(span.getSpanContext().isValid()).isTrue();
            span.end();
        }
    }

    @Test
    void buildsAGrpcExporterFromConfig() {
        Optional<TelemetryConfig> config = Optional.of(new TelemetryConfig(Map.of("otel.traces.exporter", "otlp",
                "otel.exporter.otlp.protocol", "grpc", "otel.exporter.otlp.endpoint", "http://127.0.0.1:4317")));

        try (OpenTelemetrySdk sdk = TelemetrySdk.create(config)) {
            assertThat(sdk.getSdkTracerProvider().toString()).contains("OtlpGrpcSpanExporter");
        }
    }
}
