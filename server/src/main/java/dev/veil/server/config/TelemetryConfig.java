package dev.veil.server.config;

import java.util.Map;

/**
 * {@code veil.telemetry}: where traces and metrics go, as OpenTelemetry SDK properties ({@code otel.*}) that take
 * precedence over the standard {@code OTEL_*} environment variables. Values may hold collector credentials
 * ({@code headers}), so they are never printed.
 *
 * @param properties the {@code otel.*} properties the config sets
 */
public record TelemetryConfig(Map<String, String> properties) {
    public TelemetryConfig {
        properties = Map.copyOf(properties);
    }

    @Override
    public String toString() {
        return "TelemetryConfig" + properties.keySet();
    }
}
