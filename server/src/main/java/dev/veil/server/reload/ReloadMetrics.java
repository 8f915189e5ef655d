package dev.veil.server.reload;

import java.util.Locale;
import java.util.function.Supplier;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongGauge;

/**
 * What reloads record: {@code veil.config.reloads} by outcome (Prometheus: {@code veil_config_reloads_total}), and
 * the running config's revision and load time, {@code veil.config.revision} (always 1, labelled with the revision) and
 * {@code veil.config.loaded.time} (seconds since the epoch).
 */
public final class ReloadMetrics implements AutoCloseable {
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    private static final AttributeKey<String> REVISION = AttributeKey.stringKey("revision");

    private final LongCounter reloads;
    private final ObservableLongGauge info;
    private final ObservableLongGauge loaded;

    public ReloadMetrics(OpenTelemetry openTelemetry, Supplier<RunningConfig.Snapshot> running) {
        Meter meter = openTelemetry.getMeter("dev.veil.server");
        this.reloads = meter.counterBuilder("veil.config.reloads").setUnit("{reload}")
                .setDescription("Config reloads by outcome: succeeded, failed (the new config is invalid) or refused "
                        + "(it changes a key that needs a restart)").build();
        this.info = meter.gaugeBuilder("veil.config.revision").ofLongs()
                .setDescription("The running config's revision (the start of its file's SHA-256), as a label; always 1")
                .buildWithCallback(gauge -> gauge.record(1, Attributes.of(REVISION, running.get().revision())));
        this.loaded = meter.gaugeBuilder("veil.config.loaded.time").ofLongs().setUnit("s")
                .setDescription("When the running config was loaded, in seconds since the epoch")
                .buildWithCallback(gauge -> gauge.record(running.get().loadedAt().getEpochSecond()));
    }

    /** Counts one reload that ended so. */
    public void count(ReloadResult.Outcome outcome) {
        reloads.add(1, Attributes.of(OUTCOME, outcome.name().toLowerCase(Locale.ROOT)));
    }

    @Override
    public void close() {
        info.close();
        loaded.close();
    }
}
