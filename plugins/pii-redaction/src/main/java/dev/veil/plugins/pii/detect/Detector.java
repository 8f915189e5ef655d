package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds one kind of personal data in text. Detectors are created once and shared by all requests, so they hold no
 * per-call state. They run on every text a provider would see, so they are written for throughput: cheap
 * pre-checks first (is there an {@code @} at all?), validation (checksums, ranges) only on candidates.
 */
public interface Detector {
    /**
     * Adds what it finds in {@code text} to {@code findings}, in any order; overlaps with other detectors' findings
     * are resolved by the caller.
     */
    void detect(String text, List<Finding> findings);

    /**
     * As {@link #detect(String, List)}, calling {@code costlyCheck} before each check of a candidate that costs far
     * more than reading it (a libphonenumber lookup costs as much as reading kilobytes of text), so that the caller
     * can bound the work one request causes; {@code costlyCheck} may throw to stop the scan. A detector without such
     * checks need not override this.
     */
    default void detect(String text, List<Finding> findings, Runnable costlyCheck) {
        detect(text, findings);
    }
}
