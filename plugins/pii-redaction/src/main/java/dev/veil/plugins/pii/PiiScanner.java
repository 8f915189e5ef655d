package dev.veil.plugins.pii;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import dev.veil.plugins.pii.detect.Detector;
import dev.veil.plugins.pii.detect.Finding;
import dev.veil.plugins.pii.detect.PiiTypes;

/**
 * Runs every enabled detector over a text and settles where they disagree. Two findings may overlap — a phone
 * pattern inside an IBAN, a name inside an email address — and only one may be replaced, so the more specific type
 * wins (a secret over everything, custom types over built-in ones), then the longer span.
 */
public final class PiiScanner {
    private static final Map<String, Integer> RANK = Map.of(
            PiiTypes.SECRET, 0,
            PiiTypes.EMAIL, 1,
            PiiTypes.IBAN, 2,
            PiiTypes.CREDIT_CARD, 3,
            PiiTypes.US_SSN, 4,
            PiiTypes.IP_ADDRESS, 5,
            PiiTypes.PHONE, 6,
            PiiTypes.PERSON, 7);
    private static final int CUSTOM_RANK = -1;

    private final List<Detector> detectors;

    public PiiScanner(List<Detector> detectors) {
        this.detectors = List.copyOf(detectors);
    }

    /** The findings in {@code text}, in text order, none overlapping another. */
    public List<Finding> scan(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<Finding> raw = new ArrayList<>(4);
        for (Detector detector : detectors) {
            detector.detect(text, raw);
        }
        if (raw.size() <= 1) {
            return raw;
        }
        raw.sort(Comparator.comparingInt((Finding f) -> rank(f.type()))
                .thenComparing(Comparator.comparingInt(Finding::length).reversed())
                .thenComparingInt(Finding::start));
        List<Finding> kept = new ArrayList<>(raw.size());
        for (Finding candidate : raw) {
            boolean free = true;
            for (Finding accepted : kept) {
                if (accepted.overlaps(candidate)) {
                    free = false;
                    break;
                }
            }
            if (free) {
                kept.add(candidate);
            }
        }
        kept.sort(Comparator.comparingInt(Finding::start));
        return kept;
    }

    private static int rank(String type) {
        return RANK.getOrDefault(type, CUSTOM_RANK);
    }
}
