package dev.veil.server.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
    /** The entry's keys that are Veil's; every other key is the plugin's. */
    private static final Set<String> OWN_KEYS = Set.of("name", "fail-open", "timeout");

    public PluginEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(settings, "settings");
    }

    /**
     * Entry {@code index} of {@code veil.plugins}. Its settings go to the plugin as they are (environment references
     * substituted); the plugin validates them itself when created.
     */
    static PluginEntry from(ConfigReader item, int index) {
        if (!item.isMap()) {
            throw item.invalid("must be a map with at least a name, for example {name: pii-redaction}");
        }
        String name = item.string("name").orElseThrow(() -> item.invalid("name",
                "missing; name the plugin factory to use"));
        if (item.get("budget").exists()) {
            throw item.invalid("budget", "renamed to timeout (how long one call into the plugin may take before it "
                    + "is abandoned); write timeout: instead");
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        for (String setting : item.names()) {
            if (!OWN_KEYS.contains(setting)) {
                settings.put(setting, item.get(setting).plain());
            }
        }
        Duration timeout = item.duration("timeout").orElse(DEFAULT_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero()) {
            throw item.invalid("timeout", "must be positive, for example 50ms");
        }
        return new PluginEntry(index, name, item.bool("fail-open").orElse(false), timeout,
                new PluginSettings(item.key(), settings));
    }

    /** The config key of this entry. */
    public String key() {
        return "veil.plugins[" + index + "]";
    }
}
