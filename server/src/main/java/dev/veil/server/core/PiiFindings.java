package dev.veil.server.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the PII finding counts a redaction plugin recorded ({@code Attributes.PII_FINDINGS}). The map comes from a
 * plugin, possibly from another class loader, so only counts that are positive numbers are trusted.
 */
public final class PiiFindings {
    private PiiFindings() {
    }

    /** The number of findings over all types. */
    public static long total(Map<?, ?> findings) {
        long total = 0;
        for (Object count : findings.values()) {
            if (count instanceof Number number && number.longValue() > 0) {
                total += number.longValue();
            }
        }
        return total;
    }

    /** The types with at least one finding. */
    public static List<String> types(Map<?, ?> findings) {
        List<String> types = new ArrayList<>(findings.size());
        findings.forEach((type, count) -> {
            if (count instanceof Number number && number.longValue() > 0) {
                types.add(String.valueOf(type));
            }
        });
        return types;
    }
}
