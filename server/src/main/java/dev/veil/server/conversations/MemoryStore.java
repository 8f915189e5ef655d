package dev.veil.server.conversations;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.veil.server.core.Ticker;

/**
 * Stored responses that must never touch a disk (zero-retention exchanges, or all of them when Veil has no key to
 * encrypt with): in this process's memory only, each for {@code ttl} after it was written, at most
 * {@code maxEntries} of them (the least used go first). Keyed by tenant and id, so one tenant never reaches another's.
 */
final class MemoryStore {
    private record Key(String tenant, String id) {
    }

    private final Cache<Key, StoredResponse> entries;

    MemoryStore(int maxEntries, Duration ttl, Ticker ticker) {
        this.entries = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(ttl)
                .ticker(ticker::nanos)
                .executor(Runnable::run)
                .build();
    }

    void put(StoredResponse record) {
        entries.put(new Key(record.tenant(), record.id()), record);
    }

    /** The response {@code id} of {@code tenant} that has not expired at {@code now}. */
    Optional<StoredResponse> get(String tenant, String id, Instant now) {
        return Optional.ofNullable(entries.getIfPresent(new Key(tenant, id))).filter(r -> !r.expiredAt(now));
    }

    /** Removes the response {@code id} of {@code tenant}; whether there was one not expired at {@code now}. */
    boolean delete(String tenant, String id, Instant now) {
        StoredResponse removed = entries.asMap().remove(new Key(tenant, id));
        return removed != null && !removed.expiredAt(now);
    }

    /** Drops what has expired now rather than when the cache next does its housekeeping. */
    void sweep(Instant now) {
        entries.asMap().values().removeIf(record -> record.expiredAt(now));
        entries.cleanUp();
    }

    void clear() {
        entries.invalidateAll();
    }
}
