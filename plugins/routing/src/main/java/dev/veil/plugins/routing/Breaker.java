package dev.veil.plugins.routing;

import java.time.Duration;

/**
 * When a target's circuit opens and for how long.
 *
 * @param failures target failures within {@code window} that open the circuit; 0 turns the breaker off
 * @param window the sliding window failures are counted in
 * @param cooldown how long an open circuit keeps the target out of routes before one probe request may try it
 */
record Breaker(int failures, Duration window, Duration cooldown) {
    static final Breaker DEFAULT = new Breaker(5, Duration.ofSeconds(30), Duration.ofSeconds(30));

    boolean enabled() {
        return failures > 0;
    }
}
