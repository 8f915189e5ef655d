package dev.veil.server.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

import dev.veil.server.core.Clocks;
import dev.veil.server.core.Ticker;

/**
 * Both of Veil's clocks, moving only when a test says so: the wall clock and the ticker advance together, so that
 * rate windows, budget periods, deadlines and idle ages can be crossed without waiting.
 */
public final class FakeClock implements InstantSource, Ticker {
    /** A minute boundary plus ten seconds, so that a test has fifty seconds before the next minute's window. */
    public static final Instant START = Instant.parse("2026-03-02T10:15:10Z");

    private volatile Instant wall = START;
    // Far from zero on purpose: Veil must not assume the ticker's origin.
    private volatile long nanos = -5_000_000_000_000L;

    /** Veil's clocks, both read from this one. */
    public Clocks clocks() {
        return new Clocks(this, this);
    }

    /** Moves both clocks forward by {@code by}. */
    public synchronized void advance(Duration by) {
        wall = wall.plus(by);
        nanos += by.toNanos();
    }

    @Override
    public Instant instant() {
        return wall;
    }

    @Override
    public long nanos() {
        return nanos;
    }
}
