package dev.veil.server.plugins;

import java.util.Optional;

import dev.veil.spi.plugin.PluginFactory;

/**
 * A plugin factory Veil can use, and where it came from.
 *
 * @param factory the factory
 * @param source {@code built-in}, or the path of the JAR it was loaded from
 * @param loader the JAR's own class loader, for drop-ins; calls into the plugin run with it as context class loader
 */
public record AvailablePlugin(PluginFactory factory, String source, Optional<ClassLoader> loader) {

    public String name() {
        return factory.name();
    }
}
