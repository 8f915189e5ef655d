package dev.veil.plugins.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A shared store in a map, for the plugin's own tests: what a replica's Redis would hold, by key as text. It can be
 * made unreachable, and counts the operations that reached it.
 */
final class MapStore implements SharedStore {
    final Map<String, byte[]> values = new ConcurrentHashMap<>();
    final Map<String, Duration> ttls = new ConcurrentHashMap<>();
    final AtomicBoolean unreachable = new AtomicBoolean();
    final AtomicInteger operations = new AtomicInteger();
    final AtomicInteger resets = new AtomicInteger();

    @Override
    public Optional<byte[]> get(byte[] key) {
        reach();
        return Optional.ofNullable(values.get(new String(key, StandardCharsets.US_ASCII)));
    }

    @Override
    public void put(byte[] key, byte[] value, Duration ttl) {
        reach();
        String name = new String(key, StandardCharsets.US_ASCII);
        values.put(name, value.clone());
        ttls.put(name, ttl);
    }

    @Override
    public void reset() {
        resets.incrementAndGet();
    }

    @Override
    public void close() {
    }

    private void reach() {
        operations.incrementAndGet();
        if (unreachable.get()) {
            throw new IllegalStateException("connection refused");
        }
    }
}
