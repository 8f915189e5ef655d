package dev.veil.spi.plugin;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where and how Veil dispatches one chat request. Veil records the route it resolved from the model name under
 * {@link Attributes#ROUTE} before the request phase; a routing plugin may replace it (reorder, weight, drop unhealthy
 * targets, add fallbacks, set retries). The policy decision then narrows or reorders the targets, and always wins.
 *
 * <p>Dispatch tries {@link #targets} in order, failing over on connection errors, timeouts, 408, 429 and 5xx before
 * the first byte of an answer. When every target failed it waits a jittered, exponentially growing
 * {@link #backoff} (at least as long as a 429's {@code Retry-After}) and goes round again, up to {@link #retries}
 * more rounds, never past {@link #deadline}. A target that rejects the request as too long for its context window
 * hands over to {@link #contextFallbacks}, which are tried for nothing else.
 *
 * @param targets where to send the request, in order of preference; never empty
 * @param contextFallbacks larger-context targets for a request too long for {@code targets}, in order
 * @param retries further rounds over {@code targets} after all failed; 0 tries each once
 * @param backoff the base wait between rounds
 * @param deadline the longest dispatch may take, attempts and waits included
 */
public record Route(List<Target> targets, List<Target> contextFallbacks, int retries, Duration backoff,
                    Duration deadline) {
    /** How long dispatch may take when nobody configured it. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(2);

    public Route {
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one target");
        }
        contextFallbacks = List.copyOf(contextFallbacks);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(deadline, "deadline");
    }

    /** Each of {@code targets} once, in order. */
    public static Route of(List<Target> targets) {
        return new Route(targets, List.of(), 0, Duration.ZERO, DEFAULT_DEADLINE);
    }

    /** This route with other targets. */
    public Route withTargets(List<Target> newTargets) {
        return new Route(newTargets, contextFallbacks, retries, backoff, deadline);
    }
}
