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
 *
 * <p>A scan costs time in proportion to the text, plus {@code n log n} for settling {@code n} candidate findings, so
 * that a prompt made of nothing but personal data costs no more than its length says.
 */
public final class PiiScanner implements AutoCloseable {
    private static final Map<String, Integer> RANK = Map.ofEntries(
            Map.entry(PiiTypes.SECRET, 0),
            Map.entry(PiiTypes.EMAIL, 1),
            Map.entry(PiiTypes.IBAN, 2),
            Map.entry(PiiTypes.CREDIT_CARD, 3),
            Map.entry(PiiTypes.NATIONAL_ID, 4),
            Map.entry(PiiTypes.MEDICAL_RECORD, 5),
            Map.entry(PiiTypes.US_SSN, 6),
            Map.entry(PiiTypes.BANK_ACCOUNT, 7),
            Map.entry(PiiTypes.IP_ADDRESS, 8),
            Map.entry(PiiTypes.DATE_OF_BIRTH, 9),
            Map.entry(PiiTypes.PHONE, 10),
            Map.entry(PiiTypes.POSTAL_ADDRESS, 11),
            Map.entry(PiiTypes.PERSON, 12));
    private static final int CUSTOM_RANK = -1;
    private static final Comparator<Finding> PRECEDENCE = Comparator.comparingInt((Finding f) -> rank(f.type()))
            .thenComparing(Comparator.comparingInt(Finding::length).reversed())
            .thenComparingInt(Finding::start);

    private final List<Detector> detectors;

    public PiiScanner(List<Detector> detectors) {
        this.detectors = List.copyOf(detectors);
    }

    /** The findings in {@code text}, in text order, none overlapping another. */
    public List<Finding> scan(String text) {
        return scan(text, Integer.MAX_VALUE, () -> {
        });
    }

    /**
     * As {@link #scan(String)}, for at most {@code limit} findings.
     *
     * @param costlyCheck called before each check of a candidate that costs far more than reading it (see
     *                    {@link Detector#detect(String, List, Runnable)}); may throw to stop the scan
     * @throws TooManyFindingsException when more than {@code limit} findings remain once overlaps are settled, or
     *                                  as soon as the detectors have reported more than twice {@code limit}
     *                                  candidates: the detectors avoid one another's shapes, so few candidates
     *                                  overlap (an IPv4-mapped IPv6 address is the usual pair), and stopping there
     *                                  keeps the time and memory of a scan bounded whatever the text
     */
    List<Finding> scan(String text, int limit, Runnable costlyCheck) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<Finding> candidates = new Candidates(2L * limit);
        for (Detector detector : detectors) {
            detector.detect(text, candidates, costlyCheck);
        }
        List<Finding> settled = settle(candidates, new Claims());
        if (settled.size() > limit) {
            throw new TooManyFindingsException();
        }
        return settled;
    }

    /**
     * The candidates that survive, in text order: taken in order of precedence, each is kept unless it overlaps one
     * kept before it.
     */
    static List<Finding> settle(List<Finding> candidates, Claims claims) {
        if (candidates.size() <= 1) {
            return candidates;
        }
        candidates.sort(PRECEDENCE);
        List<Finding> kept = new ArrayList<>(candidates.size());
        for (Finding candidate : candidates) {
            if (claims.claim(candidate)) {
                kept.add(candidate);
            }
        }
        kept.sort(Comparator.comparingInt(Finding::start));
        return kept;
    }

    /** Closes the detectors that hold resources (a model's native session). */
    @Override
    public void close() {
        for (Detector detector : detectors) {
            if (detector instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close a PII detector", e);
                }
            }
        }
    }

    private static int rank(String type) {
        return RANK.getOrDefault(type, CUSTOM_RANK);
    }

    /** The detectors' output, refused past a bound: a detector stops at the first finding too many. */
    private static final class Candidates extends ArrayList<Finding> {
        private final long bound;

        Candidates(long bound) {
            this.bound = bound;
        }

        @Override
        public boolean add(Finding finding) {
            if (size() >= bound) {
                throw new TooManyFindingsException();
            }
            return super.add(finding);
        }
    }
}
