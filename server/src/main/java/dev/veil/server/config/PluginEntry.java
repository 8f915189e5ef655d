package dev.veil.server.config;

import java.time.Duration;
import java.util.Objects;

import dev.veil.spi.plugin.PluginSettings;

/**
 * One entry of {@code veil.plugins}: which factory, how Veil treats its failures, and its own settings.
 *
 * @param index the entry's position, for messages ({@code veil.plugins[index]})
 * @param name the factory name
 * @param failOpen whether a failing or slow plugin is skipped instead of failing the request
 * @param timeout how long one call into the plugin may take before it is abandoned
 * @param settings everything else in the entry, for the plugin
 */
public record PluginEntry(int index, String name, boolean failOpen, Duration timeout, PluginSettings settings) {
    /** How long a plugin call may take unless {@code timeout} says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    public PluginEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(settings, "settings");
    }

    /** The config key of this entry. */
    public String key() {
        return "veil.plugins[" + index + "]";
    }
}
