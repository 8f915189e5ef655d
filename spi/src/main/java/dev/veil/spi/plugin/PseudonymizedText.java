package dev.veil.spi.plugin;

import java.util.Objects;

/**
 * What a {@link TextPhase} made of a text. Create it with {@link #of}.
 *
 * @param text       the text with placeholders in place of personal data
 * @param findings   what was found, as counts by type; never values
 * @param pseudonyms the conversation's placeholders, those handed out for this text included
 */
public record PseudonymizedText(String text, PiiFindings findings, Pseudonyms pseudonyms) {
    public PseudonymizedText {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(findings, "findings");
        Objects.requireNonNull(pseudonyms, "pseudonyms");
    }

    /** A pseudonymized text. */
    public static PseudonymizedText of(String text, PiiFindings findings, Pseudonyms pseudonyms) {
        return new PseudonymizedText(text, findings, pseudonyms);
    }
}
