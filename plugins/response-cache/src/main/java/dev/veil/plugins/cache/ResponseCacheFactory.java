package dev.veil.plugins.cache;

import java.util.Map;
import java.util.Optional;

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
 *   <li>{@code shared}: a second tier in Redis, shared by replicas: {@code kind: redis}, {@code url}
 *       ({@code redis://host:port/database}, {@code rediss://} for TLS), {@code username}, {@code password} or
 *       {@code password-file}, {@code key} or {@code key-file} (a 256-bit AES key in base64, the same on every
 *       replica), {@code timeout} (default 100ms), {@code ttl} (default the cache's), {@code pool-size} (default 32).
 *       See {@link SharedTier}.</li>
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
        CacheSettings cache = CacheSettings.from(settings);
        Optional<SharedTier> shared = cache.shared().map(redis -> {
            SharedTier tier = new SharedTier(new RedisStore(redis), redis.key(), redis.ttl(), redis.location(),
                    context.logger(), context.nanoTime(), redis.password(), SharedTier.virtualThreads());
            context.gauge("veil.cache.shared.available", "1 while the shared tier (Redis) answers, 0 during an "
                    + "outage, when lookups are misses and nothing is written there", () -> Map.of(Map.of(),
                    tier.available() ? 1L : 0L));
            context.gauge("veil.cache.shared.failures", "Shared tier operations that failed (timed out, could not "
                    + "connect, refused) since startup; each outage starts with one", () -> Map.of(Map.of(),
                    tier.failures()));
            context.gauge("veil.cache.shared.rejected", "Values read from the shared tier that did not decrypt or "
                    + "decode (another key, altered, another format) and were taken as misses, since startup",
                    () -> Map.of(Map.of(), tier.rejected()));
            context.gauge("veil.cache.shared.dropped", "Answers not written to the shared tier because too many "
                    + "writes were in flight, since startup", () -> Map.of(Map.of(), tier.dropped()));
            return tier;
        });
        return new ResponseCachePlugin(cache, shared);
    }
}
