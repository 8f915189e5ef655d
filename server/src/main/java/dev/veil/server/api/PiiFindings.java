package dev.veil.server.api;

import java.util.Map;

/** Reads the PII finding counts a redaction plugin recorded ({@code Attributes.PII_FINDINGS}). */
final class PiiFindings {
    private PiiFindings() {
    }

    /**
     * The number of findings over all types. Values written by a plugin from another class loader are only trusted
     * as far as they are numbers.
     */
    static long total(Map<?, ?> findings) {
        long total = 0;
        for (Object count : findings.values()) {
            if (count instanceof Number number && number.longValue() > 0) {
                total += number.longValue();
            }
        }
        return total;
    }
}
