package dev.veil.plugins.pii;

import java.util.Map;
import java.util.TreeMap;

import dev.veil.plugins.pii.detect.Finding;

/**
 * The spans of a text already given to a finding. They never overlap one another, so ordered by start they are
 * ordered by end as well, and a candidate overlaps one of them exactly when it overlaps the last one that starts
 * before the candidate ends: one lookup in a sorted map, {@code O(log n)}, where comparing the candidate with every
 * claimed span cost {@code O(n)} and a prompt of nothing but email addresses took minutes.
 */
final class Claims {
    private final TreeMap<Integer, Integer> endByStart = new TreeMap<>(this::compare);
    private long comparisons;

    /** Claims the span of {@code candidate} unless a claimed span overlaps it; whether it did. */
    boolean claim(Finding candidate) {
        Map.Entry<Integer, Integer> before = endByStart.lowerEntry(candidate.end());
        comparisons++;
        if (before != null && before.getValue() > candidate.start()) {
            return false;
        }
        endByStart.put(candidate.start(), candidate.end());
        return true;
    }

    /** The comparisons made so far: the work of settling, counted so that a test can bound it without a clock. */
    long comparisons() {
        return comparisons;
    }

    private int compare(Integer a, Integer b) {
        comparisons++;
        return Integer.compare(a, b);
    }
}
