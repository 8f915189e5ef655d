package dev.veil.server.dispatch;

import java.time.Duration;
import java.util.List;

import dev.veil.server.config.TargetRef;
import dev.veil.server.policy.Clearance;
import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.Route;

/**
 * What dispatch does for one request: the targets the route and the policy left, in order, and how hard to try. A plan
 * exists only for a request the policy cleared, and only for targets the clearance permits.
 *
 * @param clearance the policy's clearance of the request
 * @param targets where to send the request, in order; never empty
 * @param contextFallbacks where to send it when it is too long for a target's context window
 * @param retries further rounds over {@code targets} after all failed
 * @param backoff the base wait between rounds
 * @param deadline how long dispatch may take in all
 * @param listener told of every attempt
 */
public record DispatchPlan(Clearance clearance, List<TargetRef> targets, List<TargetRef> contextFallbacks, int retries, Duration backoff,
                           Duration deadline, AttemptListener listener) {
    /** Learns how each attempt went. */
    @FunctionalInterface
    public interface AttemptListener {
        AttemptListener NONE = attempt -> {
        };

        void onAttempt(Attempt attempt);
    }

    /** @throws IllegalArgumentException when a target or fallback is not one the clearance permits */
    public DispatchPlan {
        java.util.Objects.requireNonNull(clearance, "clearance");
        targets = List.copyOf(targets);
        contextFallbacks = List.copyOf(contextFallbacks);
        clearance.narrowed(targets);
        clearance.narrowed(contextFallbacks);
    }

    /** Each target the clearance permits once, nobody listening. */
    public static DispatchPlan once(Clearance clearance) {
        return new DispatchPlan(clearance, clearance.candidates(), List.of(), 0, Duration.ZERO,
                Route.DEFAULT_DEADLINE, AttemptListener.NONE);
    }
}
