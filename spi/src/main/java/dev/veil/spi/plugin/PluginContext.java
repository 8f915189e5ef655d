package dev.veil.spi.plugin;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** What Veil offers a plugin at creation: the only way a plugin reaches host services. */
public interface PluginContext {

    /** The plugin's config name ({@code veil.plugins[].name}). */
    String name();

    /**
     * A logger named for the plugin. Log only what an operator needs; never prompt content, personal data or keys.
     */
    System.Logger logger();

    /** A directory the plugin may keep state in, created on first use and private to this plugin entry. */
    Path dataDir();

    /** The configured providers, ordered by name, for validating targets and choosing between providers. */
    default List<ProviderInfo> providers() {
        return List.of();
    }

    /**
     * The host's wall clock, for timestamps a plugin records or compares with dates. Read time here rather than from
     * the system, so that the host (and its tests) decide what time it is. Since SPI 2.1.
     */
    default InstantSource clock() {
        return InstantSource.system();
    }

    /**
     * The host's monotonic clock in nanoseconds, read as {@link System#nanoTime()} is (its origin means nothing:
     * compare readings by subtraction), for durations, cooldowns and rates. Since SPI 2.1.
     */
    default LongSupplier nanoTime() {
        return System::nanoTime;
    }

    /**
     * Publishes a gauge with Veil's metrics (exported like Veil's own, through OpenTelemetry), read at each
     * collection: {@code values} returns the current value for each set of attributes, such as
     * {@code {target=openai/gpt-4o} -> 2}. Attributes must hold no personal data or secrets, and few distinct values.
     *
     * @param name a dotted name the plugin owns, such as {@code veil.routing.breaker.state}
     * @param description what the value means, including its unit or encoding
     * @param values the current values; called from a metrics thread, so it must be thread-safe and quick
     */
    default void gauge(String name, String description, Supplier<Map<Map<String, String>, Long>> values) {
    }
}
