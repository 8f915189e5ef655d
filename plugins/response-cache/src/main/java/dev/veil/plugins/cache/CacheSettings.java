package dev.veil.plugins.cache;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import dev.veil.spi.plugin.PluginSettings;

/**
 * The cache's validated settings.
 *
 * @param ttl how long an answer is served after it was stored
 * @param maxEntries the most answers kept, when the cache is bounded by count
 * @param maxBytes the most bytes of answers kept (estimated), when the cache is bounded by size instead
 * @param zeroRetentionMemory whether a zero-retention exchange may use the cache ({@code zero-retention: memory});
 *                            never the shared tier, which it neither reads nor writes
 * @param shared the shared tier in Redis ({@code shared:}), when configured
 */
record CacheSettings(Duration ttl, long maxEntries, OptionalLong maxBytes, boolean zeroRetentionMemory,
                     Optional<SharedSettings> shared) {
    static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
    static final long DEFAULT_MAX_ENTRIES = 10_000;
    static final Set<String> KEYS = Set.of("ttl", "max-entries", "max-bytes", "zero-retention", "shared");

    /** Reads and checks the settings; a bad one fails with a message naming its key. */
    static CacheSettings from(PluginSettings settings) {
        settings.rejectUnknown(KEYS);
        Duration ttl = settings.duration("ttl", DEFAULT_TTL);
        if (ttl.isNegative() || ttl.isZero()) {
            throw settings.invalid("ttl", "must be longer than zero, such as 10m");
        }
        if (settings.string("max-entries").isPresent() && settings.string("max-bytes").isPresent()) {
            throw settings.invalid("max-bytes", "cannot be combined with max-entries; bound the cache by one of them");
        }
        long maxEntries = settings.integer("max-entries", DEFAULT_MAX_ENTRIES);
        if (maxEntries < 1) {
            throw settings.invalid("max-entries", "must be at least 1, got " + maxEntries);
        }
        OptionalLong maxBytes = OptionalLong.empty();
        if (settings.string("max-bytes").isPresent()) {
            long bytes = settings.integer("max-bytes", 0);
            if (bytes < 1) {
                throw settings.invalid("max-bytes", "must be at least 1, got " + bytes);
            }
            maxBytes = OptionalLong.of(bytes);
        }
        String zeroRetention = settings.string("zero-retention").orElse("bypass").trim().toLowerCase(Locale.ROOT);
        boolean memory = switch (zeroRetention) {
            case "bypass" -> false;
            case "memory" -> true;
            default -> throw settings.invalid("zero-retention", "must be bypass or memory, got '" + zeroRetention
                    + "'");
        };
        Optional<SharedSettings> shared = settings.section("shared").map(section -> SharedSettings.from(section, ttl));
        return new CacheSettings(ttl, maxEntries, maxBytes, memory, shared);
    }
}
