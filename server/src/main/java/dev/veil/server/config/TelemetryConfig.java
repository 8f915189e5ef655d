package dev.veil.server.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code veil.telemetry}: where traces and metrics go, as OpenTelemetry SDK properties ({@code otel.*}) that take
 * precedence over the standard {@code OTEL_*} environment variables. Values may hold collector credentials
 * ({@code headers}), so they are never printed.
 *
 * @param properties the {@code otel.*} properties the config sets
 */
public record TelemetryConfig(Map<String, String> properties) {
    private static final Set<String> KEYS = Set.of("exporter", "endpoint", "protocol", "headers", "service-name",
            "sample-ratio", "metric-interval");

    public TelemetryConfig {
        properties = Map.copyOf(properties);
    }

    /**
     * {@code veil.telemetry}, translated into the OpenTelemetry SDK's own property names so that the SDK's
     * autoconfiguration does the rest, and the standard {@code OTEL_*} variables work where config says nothing.
     */
    static Optional<TelemetryConfig> from(ConfigReader node) {
        if (!node.exists()) {
            return Optional.empty();
        }
        node.rejectUnknown(KEYS);
        Map<String, String> properties = new LinkedHashMap<>();
        node.string("exporter").ifPresent(exporter -> {
            if (!exporter.equals("otlp") && !exporter.equals("none")) {
                throw node.invalid("exporter", "must be otlp or none, got '" + exporter + "'");
            }
            properties.put("otel.traces.exporter", exporter);
            properties.put("otel.metrics.exporter", exporter);
        });
        node.url("endpoint").ifPresent(endpoint -> properties.put("otel.exporter.otlp.endpoint",
                endpoint.toString()));
        node.string("protocol").ifPresent(protocol -> {
            if (!protocol.equals("grpc") && !protocol.equals("http/protobuf")) {
                throw node.invalid("protocol", "must be grpc or http/protobuf, got '" + protocol + "'");
            }
            properties.put("otel.exporter.otlp.protocol", protocol);
        });
        if (node.get("headers").exists()) {
            List<String> pairs = new ArrayList<>();
            for (ConfigReader header : node.entries("headers")) {
                pairs.add(header.name() + "=" + header.value().orElse(""));
            }
            properties.put("otel.exporter.otlp.headers", String.join(",", pairs));
        }
        node.string("service-name").ifPresent(name -> properties.put("otel.service.name", name));
        node.string("sample-ratio").ifPresent(ratio -> {
            double value;
            try {
                value = Double.parseDouble(ratio);
            } catch (NumberFormatException e) {
                value = -1;
            }
            if (!(value >= 0 && value <= 1)) {
                throw node.invalid("sample-ratio", "must be a number from 0 to 1, got '" + ratio + "'");
            }
            properties.put("otel.traces.sampler", "parentbased_traceidratio");
            properties.put("otel.traces.sampler.arg", ratio);
        });
        node.duration("metric-interval").ifPresent(interval -> properties.put("otel.metric.export.interval",
                Long.toString(interval.toMillis())));
        return Optional.of(new TelemetryConfig(properties));
    }

    @Override
    public String toString() {
        return "TelemetryConfig" + properties.keySet();
    }
}
