package dev.veil.server.core;

import java.time.InstantSource;

/**
 * The two clocks a running Veil reads, chosen once where it starts and handed to every component that reads time.
 *
 * @param wall calendar time: timestamps, days, budget periods, minute windows, key expiry
 * @param ticker monotonic time: deadlines, timeouts, idle ages, latencies
 */
public record Clocks(InstantSource wall, Ticker ticker) {
    /** The system's clocks. */
    public static Clocks system() {
        return new Clocks(InstantSource.system(), Ticker.system());
    }
}
