package dev.veil.plugins.pii;

/**
 * A text holds more findings than one request may redact. Carries nothing about the text: the caller answers with
 * the limit and the setting that sets it.
 */
final class TooManyFindingsException extends RuntimeException {
    TooManyFindingsException() {
        super(null, null, false, false);
    }
}
