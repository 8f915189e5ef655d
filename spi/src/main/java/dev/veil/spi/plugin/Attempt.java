package dev.veil.spi.plugin;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt to get an answer from one target, as dispatch saw it: what a routing plugin learns health, latency
 * and rate limits from. Veil creates these; a plugin's tests build them with {@link #of}: the canonical constructor
 * gains a parameter whenever a field is added.
 *
 * @param target the target tried
 * @param result how it went
 * @param latency time from sending the request to the answer (for a stream: its first event) or the failure
 * @param retryAfter how long the provider asked to be left alone, when it said
 */
public record Attempt(Target target, Result result, Duration latency, Optional<Duration> retryAfter) {
    /**
     * How an attempt ended.
     *
     * <p><b>Open to new constants.</b> A minor version of this API may add one, so a plugin's {@code switch} over
     * it needs a {@code default} branch: without one, a switch that covers every constant of today fails with
     * {@link MatchException} when it meets the new one.
     */
    public enum Result {
        /** The target answered (for a stream: its first event arrived). */
        SUCCEEDED,
        /** 429: rate limited. */
        RATE_LIMITED,
        /** 5xx or 529: the provider failed or is overloaded. */
        OVERLOADED,
        /** No answer in time (also 408). */
        TIMED_OUT,
        /** No connection, or it broke before the answer. */
        UNREACHABLE,
        /** The request is too long for the target's context window. */
        CONTEXT_TOO_LONG,
        /** The target rejected the request itself (another 4xx, or an answer Veil could not read). */
        REJECTED;

        /** Whether this says something about the target's health, as opposed to about the request. */
        public boolean isTargetFailure() {
            return this == RATE_LIMITED || this == OVERLOADED || this == TIMED_OUT || this == UNREACHABLE;
        }
    }

    public Attempt {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** An attempt at {@code target} that ended in {@code result} after {@code latency}, with no Retry-After. */
    public static Attempt of(Target target, Result result, Duration latency) {
        return new Attempt(target, result, latency, Optional.empty());
    }

    /** A copy saying the provider asked to be left alone for {@code wait}. */
    public Attempt withRetryAfter(Duration wait) {
        return new Attempt(target, result, latency, Optional.of(wait));
    }
}
