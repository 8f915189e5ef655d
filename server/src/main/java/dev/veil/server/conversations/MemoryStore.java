package dev.veil.server.conversations;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.veil.server.core.Ticker;

/**
 * Stored responses that must never touch a disk (zero-retention exchanges, or all of them when Veil has no key to
 * encrypt with): in this process's memory only, each for {@code ttl} after it was written, at most
 * {@code maxBytes} of them in all (the least used go first): a count would not bound memory, each response may be as
 * large as a request. Keyed by tenant and id, so one tenant never reaches another's.
 */
final class MemoryStore {
    private record Key(String tenant, String id) {
    }

    private final Cache<Key, StoredResponse> entries;

    MemoryStore(long maxBytes, Duration ttl, Ticker ticker) {
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher(MemoryStore::weight)
                .expireAfterWrite(ttl)
                .ticker(ticker::nanos)
                .executor(Runnable::run)
                .build();
    }

    /** About the bytes {@code record} holds: its content, and its pseudonyms as UTF-16. */
    private static int weight(Key key, StoredResponse record) {
        long chars = 0;
        for (Map.Entry<String, String> entry : record.pseudonyms().entrySet()) {
            chars += entry.getKey().length() + entry.getValue().length();
        }
        return (int) Math.min(Integer.MAX_VALUE, (long) record.inputItems().length + record.response().length
                + 2 * chars + 2L * (key.tenant().length() + key.id().length()));
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
