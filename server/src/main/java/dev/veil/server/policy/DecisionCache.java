package dev.veil.server.policy;

import java.time.Duration;
import java.util.Arrays;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Recent decisions keyed on the whole input document, byte for byte, so a decision is only ever reused for exactly
 * the input it was made for. Bounded in size (Caffeine's frequency-aware eviction keeps the decisions requests
 * repeat) and in age (entries expire the configured time after they were made, so a changed policy applies within
 * it).
 */
final class DecisionCache {
    private final Cache<Key, Decision> entries;

    /** A cache whose entries age by {@code ticker}. */
    DecisionCache(int maxEntries, Duration ttl, Ticker ticker) {
        this.entries = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(ttl)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /** The decision made for exactly {@code input} within the time to live, or null. */
    Decision get(byte[] input) {
        return entries.getIfPresent(new Key(input));
    }

    void put(byte[] input, Decision decision) {
        entries.put(new Key(input), decision);
    }

    /** An input document as a map key: equal bytes, equal key. */
    private static final class Key {
        private final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && hash == key.hash && Arrays.equals(bytes, key.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
