package dev.veil.server.plugins;

import java.util.List;
import java.util.Map;

import dev.veil.server.core.Ticker;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

/**
 * One span per plugin call, named {@code veil.plugin <name> <phase>}, with the outcome and nothing of the content.
 * Spans nest under whatever span is current, so they land inside the request's trace once one exists.
 */
final class PluginTelemetry {
    static final AttributeKey<String> PLUGIN = AttributeKey.stringKey("veil.plugin.name");
    static final AttributeKey<String> PHASE = AttributeKey.stringKey("veil.plugin.phase");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("veil.plugin.outcome");
    static final AttributeKey<Long> EVENTS = AttributeKey.longKey("veil.plugin.stream.events");
    static final AttributeKey<Long> BUSY_MICROS = AttributeKey.longKey("veil.plugin.stream.busy_us");
    static final AttributeKey<Long> PII_FINDINGS = AttributeKey.longKey("veil.pii.findings");
    static final AttributeKey<List<String>> PII_TYPES = AttributeKey.stringArrayKey("veil.pii.types");
    static final AttributeKey<String> CACHE_RESULT = AttributeKey.stringKey("result");
    /** The results a cache may report, with their attribute sets built once; anything else is not counted. */
    private static final Map<String, io.opentelemetry.api.common.Attributes> CACHE_RESULTS = Map.of(
            "hit", io.opentelemetry.api.common.Attributes.of(CACHE_RESULT, "hit"),
            "miss", io.opentelemetry.api.common.Attributes.of(CACHE_RESULT, "miss"),
            "bypass", io.opentelemetry.api.common.Attributes.of(CACHE_RESULT, "bypass"));

    /** How a plugin call ended. */
    enum Outcome {
        OK("ok"), REJECTED("rejected"), FAILED("failed"), TIMED_OUT("timed_out"), SKIPPED("skipped");

        private final String value;

        Outcome(String value) {
            this.value = value;
        }
    }

    /** Seconds: most plugin calls take microseconds; a slow one is worth seeing up to its timeout. */
    private static final List<Double> SECONDS_BUCKETS = List.of(0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0);

    private final Tracer tracer;
    private final Ticker ticker;
    private final LongCounter cacheLookups;
    private final DoubleHistogram duration;

    PluginTelemetry(OpenTelemetry openTelemetry, Ticker ticker) {
        this.tracer = openTelemetry.getTracer("dev.veil.plugins");
        this.ticker = ticker;
        Meter meter = openTelemetry.getMeter("dev.veil.plugins");
        this.cacheLookups = meter.counterBuilder("veil.cache.lookups")
                .setDescription("Response cache lookups by result: hit, miss or bypass")
                .setUnit("{lookup}")
                .build();
        this.duration = meter.histogramBuilder("veil.plugin.duration").setUnit("s")
                .setExplicitBucketBoundariesAdvice(SECONDS_BUCKETS)
                .setDescription("Time in one plugin call (a request or response phase, not stream events), by "
                        + "plugin, phase and outcome").build();
    }

    long nanos() {
        return ticker.nanos();
    }

    /** Records a plugin call that started at {@code start} (by {@link #nanos}) and just ended. */
    void timed(String plugin, String phase, Outcome outcome, long start) {
        duration.record((ticker.nanos() - start) / 1e9, io.opentelemetry.api.common.Attributes.of(PLUGIN, plugin,
                PHASE, phase, OUTCOME, outcome.value));
    }

    /** Counts what a cache did for a finished exchange, if a cache took part. */
    void cacheLookup(Exchange exchange) {
        exchange.get(Attributes.CACHE_STATUS).map(CACHE_RESULTS::get).ifPresent(result -> cacheLookups.add(1, result));
    }

    Span start(String spanName, String plugin, String phase) {
        return tracer.spanBuilder(spanName)
                .setAttribute(PLUGIN, plugin)
                .setAttribute(PHASE, phase)
                .startSpan();
    }

    /** The PII finding counts recorded so far, as a total and the types found — never values. */
    static void findings(Span span, Exchange exchange) {
        exchange.get(Attributes.PII_FINDINGS).ifPresent(findings -> {
            span.setAttribute(PII_FINDINGS, findings.total());
            span.setAttribute(PII_TYPES, List.copyOf(findings.types()));
        });
    }

    static void end(Span span, Outcome outcome) {
        span.setAttribute(OUTCOME, outcome.value);
        if (outcome == Outcome.FAILED || outcome == Outcome.TIMED_OUT) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
