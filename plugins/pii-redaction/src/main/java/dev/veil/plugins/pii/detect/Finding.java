package dev.veil.plugins.pii.detect;

import java.util.Objects;

/**
 * A piece of personal data or a secret found in a text: where it is and what it is, never copied out of the text
 * here, so that a finding can be logged or counted without carrying the value.
 *
 * @param start index of the first character
 * @param end index after the last character
 * @param type the PII type, such as {@link PiiTypes#EMAIL} or a custom detector's type
 */
public record Finding(int start, int end, String type) {
    public Finding {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("empty or negative span " + start + ".." + end);
        }
        Objects.requireNonNull(type, "type");
    }

    public int length() {
        return end - start;
    }

    public boolean overlaps(Finding other) {
        return start < other.end && other.start < end;
    }
}
