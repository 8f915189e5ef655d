package dev.veil.server.core;

/**
 * Monotonic time in nanoseconds, read as {@link System#nanoTime()} is: only the difference of two readings means
 * anything, compared by subtraction so that the origin does not matter. Deadlines, timeouts, rate windows and
 * latencies read it; calendar time comes from an {@link java.time.InstantSource}. Both are injected so that tests can
 * move time instead of waiting for it.
 */
@FunctionalInterface
public interface Ticker {
    /** The current reading. */
    long nanos();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
