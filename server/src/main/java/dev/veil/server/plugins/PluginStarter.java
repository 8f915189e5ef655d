package dev.veil.server.plugins;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import dev.veil.server.config.ConfigException;
import dev.veil.server.config.PluginEntry;
import dev.veil.server.core.Clocks;
import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.ProviderInfo;
import io.opentelemetry.api.OpenTelemetry;

/** Creates the configured plugins from the catalog at startup: the first of the chain's jobs, done once. */
final class PluginStarter {
    private static final Logger LOGGER = Logger.getLogger(PluginChain.class.getName());

    private PluginStarter() {
    }

    /**
     * Creates the plugin of each entry, in order, each with its own {@link HostContext}; gauges plugins register go
     * into {@code gauges}. An unknown name or settings its plugin rejects stop startup with a {@link ConfigException}.
     */
    static List<PluginChain.ConfiguredPlugin> start(List<PluginEntry> entries, PluginCatalog catalog, Path dataDir,
                                                    OpenTelemetry openTelemetry, List<ProviderInfo> providers,
                                                    Clocks clocks, List<AutoCloseable> gauges) {
        List<PluginChain.ConfiguredPlugin> plugins = new ArrayList<>(entries.size());
        for (PluginEntry entry : entries) {
            AvailablePlugin source = catalog.get(entry.name()).orElseThrow(() -> new ConfigException(
                    entry.key() + ".name", "no plugin named '" + entry.name() + "'; available: "
                    + catalog.all().stream().map(AvailablePlugin::name).collect(Collectors.joining(", "))
                    + " (drop-in JARs go in veil.plugins-dir)"));
            Plugin plugin = PluginClassLoader.withContextLoader(source.loader(), () -> {
                try {
                    return source.factory().create(entry.settings(), new HostContext(entry, dataDir, providers,
                            openTelemetry, clocks, gauges));
                } catch (PluginConfigException e) {
                    throw ConfigException.described(e.getMessage());
                } catch (RuntimeException | LinkageError e) {
                    throw new ConfigException(entry.key(), "plugin '" + entry.name() + "' failed to start ("
                            + e.getClass().getSimpleName() + ")");
                }
            });
            if (plugin == null) {
                throw new ConfigException(entry.key(), "plugin '" + entry.name() + "' created nothing");
            }
            plugins.add(new PluginChain.ConfiguredPlugin(entry, source, plugin));
            LOGGER.info(() -> "plugin " + entry.key() + " '" + entry.name() + "' " + source.factory().version()
                    + " from " + source.source() + (entry.failOpen() ? ", fail-open" : "") + ", timeout "
                    + entry.timeout().toMillis() + " ms");
        }
        return plugins;
    }
}
