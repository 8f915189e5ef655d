package dev.veil.spi.plugin;

import java.nio.file.Path;
import java.util.List;

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

    /** The configured providers, in config order, for validating targets and choosing between providers. */
    default List<ProviderInfo> providers() {
        return List.of();
    }
}
