package dev.veil.server.audit.export;

import java.time.Duration;
import java.util.Optional;

/**
 * A delivery that a sink did not acknowledge. The message says what the sink answered, never a token or a record.
 */
final class SinkException extends Exception {
    private final boolean tooLarge;
    private final Optional<Duration> retryAfter;

    SinkException(String message) {
        this(message, false, Optional.empty());
    }

    SinkException(String message, boolean tooLarge, Optional<Duration> retryAfter) {
        super(message, null, false, false);
        this.tooLarge = tooLarge;
        this.retryAfter = retryAfter;
    }

    /** Whether the sink refused the batch for its size, so that a smaller one may pass. */
    boolean tooLarge() {
        return tooLarge;
    }

    /** How long the sink asked to be left alone before the next attempt (an HTTP {@code Retry-After}), if it did. */
    Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
