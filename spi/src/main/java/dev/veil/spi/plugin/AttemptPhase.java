package dev.veil.spi.plugin;

/**
 * Learns how each attempt to reach a provider went, for health tracking, latency estimates and circuit breakers.
 * Called on the request's thread right after each attempt, in config order, including attempts that failed over.
 * It cannot change the request or the answer, and should return quickly: dispatch waits for it.
 */
public interface AttemptPhase extends Plugin {
    void onAttempt(Attempt attempt, Exchange exchange);
}
