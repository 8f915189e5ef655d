package dev.veil.plugins.cache;

import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginFactory;
import dev.veil.spi.plugin.PluginSettings;

/**
 * Creates the {@code response-cache} plugin: an in-memory, exact-match cache of complete answers, per tenant, so a
 * repeated request costs neither a provider call nor its latency. Settings, all optional:
 * <ul>
 *   <li>{@code ttl}: how long an answer is served (default 10m);</li>
 *   <li>{@code max-entries}: the most answers kept (default 10000), or instead</li>
 *   <li>{@code max-bytes}: the most bytes of answers kept, by an estimate of their size;</li>
 *   <li>{@code zero-retention}: {@code bypass} (default) leaves zero-retention exchanges alone, {@code memory} lets
 *       them use the cache, which never leaves memory.</li>
 * </ul>
 * Place it after {@code pii-redaction} in {@code veil.plugins}, so that it keys and stores redacted text only.
 */
public final class ResponseCacheFactory implements PluginFactory {
    @Override
    public String name() {
        return "response-cache";
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public int spiMinorVersion() {
        return SPI_MINOR_VERSION;
    }

    @Override
    public Plugin create(PluginSettings settings, PluginContext context) {
        return new ResponseCachePlugin(CacheSettings.from(settings));
    }
}
