package dev.veil.spi.plugin;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * How much personal data of each type was found in an exchange ({@code EMAIL} → 2): counts, never the values. The
 * value of {@link Attributes#PII_FINDINGS}, which the policy input, the audit record, the {@code x-veil-redactions}
 * header and telemetry read.
 *
 * <p>Create it with {@link #of}; add later findings with {@link #plus}.
 *
 * @param counts the number of findings by PII type, sorted by type; every count is at least 1
 */
public record PiiFindings(Map<String, Integer> counts) {
    /** Nothing found. */
    public static final PiiFindings NONE = new PiiFindings(Map.of());

    /**
     * @throws IllegalArgumentException when a type is blank or a count negative; types counted 0 are left out
     */
    public PiiFindings {
        TreeMap<String, Integer> sorted = new TreeMap<>();
        counts.forEach((type, count) -> {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(count, "count");
            if (type.isBlank()) {
                throw new IllegalArgumentException("a PII type must not be blank");
            }
            if (count < 0) {
                throw new IllegalArgumentException("the count of " + type + " must not be negative");
            }
            if (count > 0) {
                sorted.put(type, count);
            }
        });
        counts = Collections.unmodifiableSortedMap(sorted);
    }

    /** The findings with these counts by type. */
    public static PiiFindings of(Map<String, Integer> counts) {
        return counts.isEmpty() ? NONE : new PiiFindings(counts);
    }

    /** How many findings of {@code type} there are; 0 when none. */
    public int count(String type) {
        return counts.getOrDefault(type, 0);
    }

    /** The number of findings over all types. */
    public long total() {
        long total = 0;
        for (int count : counts.values()) {
            total += count;
        }
        return total;
    }

    /** The types with at least one finding, sorted. */
    public Set<String> types() {
        return counts.keySet();
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /** These findings and {@code more} together, counts of the same type added (at most {@link Integer#MAX_VALUE}). */
    public PiiFindings plus(PiiFindings more) {
        if (more.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return more;
        }
        Map<String, Integer> sum = new TreeMap<>(counts);
        more.counts.forEach((type, count) -> sum.merge(type, count, (a, b) -> (int) Math.min(Integer.MAX_VALUE,
                (long) a + b)));
        return new PiiFindings(sum);
    }
}
