package dev.veil.server.audit.export;

/**
 * A delivery that a sink did not acknowledge. The message says what the sink answered, never a token or a record.
 */
final class SinkException extends Exception {
    private final boolean tooLarge;

    SinkException(String message) {
        this(message, false);
    }

    SinkException(String message, boolean tooLarge) {
        super(message, null, false, false);
        this.tooLarge = tooLarge;
    }

    /** Whether the sink refused the batch for its size, so that a smaller one may pass. */
    boolean tooLarge() {
        return tooLarge;
    }
}
