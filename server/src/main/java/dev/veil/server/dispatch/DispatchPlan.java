package dev.veil.server.dispatch;

import java.time.Duration;
import java.util.List;

import dev.veil.server.config.TargetRef;
import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.Route;

/**
 * What dispatch does for one request: the targets the route and the policy left, in order, and how hard to try.
 *
 * @param targets where to send the request, in order; never empty
 * @param contextFallbacks where to send it when it is too long for a target's context window
 * @param retries further rounds over {@code targets} after all failed
 * @param backoff the base wait between rounds
 * @param deadline how long dispatch may take in all
 * @param listener told of every attempt
 */
public record DispatchPlan(List<TargetRef> targets, List<TargetRef> contextFallbacks, int retries, Duration backoff,
                           Duration deadline, AttemptListener listener) {
    /** Learns how each attempt went. */
    @FunctionalInterface
    public interface AttemptListener {
        AttemptListener NONE = attempt -> {
        };

        void onAttempt(Attempt attempt);
    }

    public DispatchPlan {
        targets = List.copyOf(targets);
        contextFallbacks = List.copyOf(contextFallbacks);
    }

    /** Each of {@code targets} once, nobody listening. */
    public static DispatchPlan once(List<TargetRef> targets) {
        return new DispatchPlan(targets, List.of(), 0, Duration.ZERO, Route.DEFAULT_DEADLINE, AttemptListener.NONE);
    }
}
