package dev.veil.plugins.pii;

import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * The most findings one request, or one answer, may hold ({@code max-findings}), and the errors that say it was
 * passed. The messages name the limit and the setting, never what was found.
 *
 * @param max     the most findings
 * @param setting the full config key of the setting, such as {@code veil.plugins[0].max-findings}
 */
record FindingsLimit(int max, String setting) {
    /**
     * Ten thousand findings is a document of a few thousand customer records, far beyond a chat prompt. The
     * placeholder map for that many stays at a few megabytes per request, a prompt of nothing but email addresses
     * reaches the limit at about 180 KB, and that many costly checks (a libphonenumber lookup, or 100,000
     * characters read by a custom pattern: about 0.1 ms each) stay near a second of CPU.
     */
    static final int DEFAULT = 10_000;
    static final String CODE = "pii_too_many_findings";

    /**
     * 413: the request holds more findings, placeholder-shaped strings or costly candidates than one request may;
     * nothing was sent.
     */
    VeilException inRequest() {
        return new VeilException(ErrorKind.PAYLOAD_TOO_LARGE, "The request holds more personal data than "
                + "pii-redaction redacts in one request: over " + max + " findings or candidates that are costly to "
                + "check, such as email addresses, phone-number-like digits or placeholder-shaped text (the limit is "
                + setting
                + "). Nothing was sent; split the data over several requests, or ask the operator to raise the "
                + "limit.").withCode(CODE);
    }

    /** 502: the model's answer holds more new personal data than {@code scan-output} redacts; it is withheld. */
    VeilException inAnswer() {
        return new VeilException(ErrorKind.UPSTREAM, "The model's answer holds more personal data than "
                + "pii-redaction redacts in one answer: over " + max + " findings or candidates that are costly to "
                + "check (the limit is " + setting + "). The answer was withheld.").withCode(CODE);
    }
}
