package dev.veil.plugins.pii.detect;

import java.util.ArrayList;
import java.util.List;

/** Runs one detector and returns what it found as the covered substrings, which read better in assertions. */
final class Spans {
    private Spans() {
    }

    static List<String> found(Detector detector, String text) {
        List<Finding> findings = new ArrayList<>();
        detector.detect(text, findings);
        return findings.stream().map(finding -> text.substring(finding.start(), finding.end())).toList();
    }
}
