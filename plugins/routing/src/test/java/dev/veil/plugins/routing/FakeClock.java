package dev.veil.plugins.routing;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when told, so breaker and latency tests need no sleeping. */
final class FakeClock implements LongSupplier {
    // Far from zero on purpose: the plugin must not assume the clock's origin.
    private volatile long now = -5_000_000_000_000L;

    @Override
    public long getAsLong() {
        return now;
    }

    void advance(Duration by) {
        now += by.toNanos();
    }
}
