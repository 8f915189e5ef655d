package dev.veil.plugins.cache;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the shared tier keeps its sealed values: Redis in production ({@link RedisStore}), a map in the plugin's own
 * tests. Any operation may fail with an unchecked exception, which the tier takes as an outage.
 */
interface SharedStore extends AutoCloseable {

    /** The value stored under {@code key}, if any. */
    Optional<byte[]> get(byte[] key);

    /** Stores {@code value} under {@code key} for {@code ttl}, replacing any value there. */
    void put(byte[] key, byte[] value, Duration ttl);

    /** Drops the connections in hand after a failure, so that the next operation starts with fresh ones. */
    void reset();

    @Override
    void close();
}
