package dev.veil.server.mcp;

import java.util.List;
import java.util.Optional;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

/**
 * The tool calls' telemetry: one span per call ({@code mcp tools/call <server>__<tool>}) and the
 * {@code veil.mcp.tool.calls} counter and {@code veil.mcp.tool.duration} histogram, by server, tool and outcome.
 * Names and outcomes only: never arguments or results.
 */
final class McpTelemetry {
    static final AttributeKey<String> SERVER = AttributeKey.stringKey("veil.mcp.server");
    static final AttributeKey<String> TOOL = AttributeKey.stringKey("veil.mcp.tool");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("veil.mcp.outcome");
    static final AttributeKey<String> HASH = AttributeKey.stringKey("veil.mcp.definition_hash");
    static final AttributeKey<Boolean> ALLOWED = AttributeKey.booleanKey("veil.policy.allowed");
    private static final List<Double> SECONDS = List.of(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
            2.5, 5.0, 10.0, 30.0, 60.0);

    private final Tracer tracer;
    private final LongCounter calls;
    private final DoubleHistogram duration;

    McpTelemetry(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("dev.veil.server");
        Meter meter = openTelemetry.getMeter("dev.veil.server");
        this.calls = meter.counterBuilder("veil.mcp.tool.calls").setUnit("{call}")
                .setDescription("Tool calls through the MCP gateway by server, tool and outcome").build();
        this.duration = meter.histogramBuilder("veil.mcp.tool.duration").setUnit("s")
                .setExplicitBucketBoundariesAdvice(SECONDS)
                .setDescription("Time from a tool call's arrival to its answer").build();
    }

    /** A started span of one call. */
    final class Span {
        private final io.opentelemetry.api.trace.Span span;

        private Span(io.opentelemetry.api.trace.Span span) {
            this.span = span;
        }

        void end(String outcome, boolean allowed, Optional<String> hash) {
            span.setAttribute(OUTCOME, outcome);
            span.setAttribute(ALLOWED, allowed);
            hash.ifPresent(h -> span.setAttribute(HASH, h));
            if (!outcome.equals("ok") && !outcome.equals("tool_error")) {
                span.setStatus(StatusCode.ERROR, outcome);
            }
            span.end();
        }
    }

    Span start(String server, String tool) {
        return new Span(tracer.spanBuilder("mcp tools/call " + server + McpGateway.SEPARATOR + tool)
                .setSpanKind(SpanKind.CLIENT).setAttribute(SERVER, server).setAttribute(TOOL, tool).startSpan());
    }

    void count(String server, String tool, String outcome, long micros) {
        Attributes labels = Attributes.of(SERVER, server, TOOL, tool, OUTCOME, outcome);
        calls.add(1, labels);
        duration.record(micros / 1e6, labels);
    }
}
