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
 * <p>Build one with {@link #of} or {@link #builder}: the canonical constructor gains a parameter whenever a field is
 * added.
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
        return builder(targets).build();
    }

    /** A builder of a route over {@code targets}: each once, no context fallbacks, the default deadline until set. */
    public static Builder builder(List<Target> targets) {
        return new Builder(targets);
    }

    /** A builder holding this route's fields, for a copy that differs in some. */
    public Builder toBuilder() {
        return new Builder(targets).contextFallbacks(contextFallbacks).retries(retries).backoff(backoff)
                .deadline(deadline);
    }

    /** This route with other targets. */
    public Route withTargets(List<Target> newTargets) {
        return new Route(newTargets, contextFallbacks, retries, backoff, deadline);
    }

    /** Builds a {@link Route}; each method sets the field of the same name. Not thread-safe. */
    public static final class Builder {
        private List<Target> targets;
        private List<Target> contextFallbacks = List.of();
        private int retries;
        private Duration backoff = Duration.ZERO;
        private Duration deadline = DEFAULT_DEADLINE;

        private Builder(List<Target> targets) {
            this.targets = targets;
        }

        public Builder targets(List<Target> targets) {
            this.targets = targets;
            return this;
        }

        public Builder contextFallbacks(List<Target> contextFallbacks) {
            this.contextFallbacks = contextFallbacks;
            return this;
        }

        public Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        public Builder backoff(Duration backoff) {
            this.backoff = backoff;
            return this;
        }

        public Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        /**
         * The route.
         *
         * @throws IllegalArgumentException when there are no targets or {@code retries} is negative
         */
        public Route build() {
            return new Route(targets, contextFallbacks, retries, backoff, deadline);
        }
    }
}
