package dev.veil.server.policy;

import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recent decisions keyed on the whole input document, byte for byte, so a decision is only ever reused for exactly
 * the input it was made for. Bounded in size (an arbitrary entry makes room for a new one) and in age (entries
 * expire after the configured time, so a changed policy applies within it).
 */
final class DecisionCache {
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final long ttlNanos;

    DecisionCache(int maxEntries, Duration ttl) {
        this.maxEntries = maxEntries;
        this.ttlNanos = ttl.toNanos();
    }

    Decision get(byte[] input) {
        Entry entry = entries.get(new Key(input));
        if (entry == null) {
            return null;
        }
        if (System.nanoTime() - entry.expiresAt > 0) {
            entries.remove(new Key(input), entry);
            return null;
        }
        return entry.decision;
    }

    void put(byte[] input, Decision decision) {
        if (entries.size() >= maxEntries) {
            Iterator<Key> victims = entries.keySet().iterator();
            if (victims.hasNext()) {
                entries.remove(victims.next());
            }
        }
        entries.put(new Key(input), new Entry(decision, System.nanoTime() + ttlNanos));
    }

    private record Entry(Decision decision, long expiresAt) {
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
