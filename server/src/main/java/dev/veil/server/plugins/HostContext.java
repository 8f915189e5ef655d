package dev.veil.server.plugins;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.veil.server.config.PluginEntry;
import dev.veil.server.core.Clocks;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.ProviderInfo;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;

/** What a plugin may use of the host: the only way it reaches host services. */
final class HostContext implements PluginContext {
    private final PluginEntry entry;
    private final Path dataDir;
    private final List<ProviderInfo> providers;
    private final Meter meter;
    private final List<AutoCloseable> gauges;
    private final Path positionalDir;
    private final Clocks clocks;

    HostContext(PluginEntry entry, Path dataDir, List<ProviderInfo> providers, OpenTelemetry openTelemetry,
                Clocks clocks, List<AutoCloseable> gauges) {
        this.clocks = clocks;
        this.entry = entry;
        this.providers = List.copyOf(providers);
        this.meter = openTelemetry.getMeter("dev.veil.plugin." + entry.name());
        this.gauges = gauges;
        // Keyed by name, so that reordering the plugin list keeps each plugin's state.
        this.dataDir = dataDir.resolve("plugins").resolve(entry.name());
        this.positionalDir = dataDir.resolve("plugins").resolve(entry.name() + "-" + entry.index());
    }

    @Override
    public String name() {
        return entry.name();
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("dev.veil.plugin." + entry.name());
    }

    @Override
    public InstantSource clock() {
        return clocks.wall();
    }

    @Override
    public LongSupplier nanoTime() {
        return clocks.ticker()::nanos;
    }

    @Override
    public List<ProviderInfo> providers() {
        return providers;
    }

    @Override
    public void gauge(String name, String description, Supplier<Map<Map<String, String>, Long>> values) {
        gauges.add(meter.gaugeBuilder(name).setDescription(description).ofLongs().buildWithCallback(
                measurement -> values.get().forEach((attributes, value) -> {
                    AttributesBuilder builder = io.opentelemetry.api.common.Attributes.builder();
                    attributes.forEach(builder::put);
                    measurement.record(value, builder.build());
                })));
    }

    @Override
    public Path dataDir() {
        try {
            if (!Files.exists(dataDir) && Files.isDirectory(positionalDir)) {
                // Veil before 0.2 keyed the directory by list position too: carry its state over once.
                Files.move(positionalDir, dataDir);
            }
            return Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the plugin data dir " + dataDir, e);
        }
    }
}
