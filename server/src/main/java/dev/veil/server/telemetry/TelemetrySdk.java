package dev.veil.server.telemetry;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.veil.server.config.TelemetryConfig;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

/**
 * Builds the OpenTelemetry SDK Veil exports through: the SDK's own autoconfiguration, so the standard
 * {@code OTEL_*} variables work ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_TRACES_EXPORTER}, ...), with
 * {@code veil.telemetry} taking precedence. Nothing is exported unless one of them asks: a gateway must not start
 * sending data somewhere by default.
 */
public final class TelemetrySdk {
    private TelemetrySdk() {
    }

    public static OpenTelemetrySdk create(Optional<TelemetryConfig> config) {
        return create(config, Optional.empty());
    }

    /** As {@link #create(Optional)}, with the metrics also readable by a Prometheus scrape when {@code scrape} says. */
    public static OpenTelemetrySdk create(Optional<TelemetryConfig> config, Optional<PrometheusMetrics> scrape) {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", "veil");
        defaults.put("otel.traces.exporter", "none");
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        Map<String, String> configured = config.map(TelemetryConfig::properties).orElse(Map.of());
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addPropertiesCustomizer(properties -> configured)
                // Spans nobody exports are not recorded; traceparent still goes upstream, with the client's trace id.
                .addPropertiesCustomizer(properties -> "none".equals(properties.getString("otel.traces.exporter"))
                        && properties.getString("otel.traces.sampler") == null
                        ? Map.of("otel.traces.sampler", "always_off") : Map.of())
                .addMeterProviderCustomizer((meters, properties) -> {
                    scrape.ifPresent(metrics -> meters.registerMetricReader(metrics.reader()));
                    return meters;
                })
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
    }
}
