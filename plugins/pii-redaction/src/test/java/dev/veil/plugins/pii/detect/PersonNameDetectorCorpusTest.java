package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.veil.plugins.pii.testing.PiiCorpus;
import dev.veil.plugins.pii.testing.PiiCorpus.Negative;
import dev.veil.plugins.pii.testing.PiiCorpus.Sample;
import dev.veil.plugins.pii.testing.PiiCorpus.Span;

/** Measures the detector on the labelled corpus: exact-span recall on PERSON, and look-alikes left alone. */
class PersonNameDetectorCorpusTest {
    private static final List<Sample> CORPUS = PiiCorpus.load();
    private final PersonNameDetector detector = new PersonNameDetector();

    @Test
    void findsPersonSpansExactly() {
        int expected = 0;
        int found = 0;
        for (Sample sample : CORPUS) {
            List<Finding> findings = detect(sample.text());
            for (Span span : sample.spans()) {
                if (span.type().equals(PiiTypes.PERSON)) {
                    expected++;
                    if (findings.contains(new Finding(span.start(), span.end(), PiiTypes.PERSON))) {
                        found++;
                    }
                }
            }
        }
        double recall = (double) found / expected;
        System.out.printf("PERSON recall on the corpus: %d/%d = %.3f%n", found, expected, recall);
        assertThat(recall).isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void leavesLookAlikesAlone() {
        int negatives = 0;
        int survived = 0;
        for (Sample sample : CORPUS) {
            List<Finding> findings = detect(sample.text());
            for (Negative negative : sample.negatives()) {
                negatives++;
                if (survives(sample.text(), negative.value(), findings)) {
                    survived++;
                }
            }
        }
        double survival = (double) survived / negatives;
        System.out.printf("Look-alike negatives surviving PERSON: %d/%d = %.3f%n", survived, negatives, survival);
        assertThat(survival).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void reportsNoPersonOutsideLabelledSpans() {
        int stray = 0;
        for (Sample sample : CORPUS) {
            for (Finding finding : detect(sample.text())) {
                boolean labelled = sample.spans().stream().anyMatch(span -> span.type().equals(PiiTypes.PERSON)
                        && finding.overlaps(new Finding(span.start(), span.end(), PiiTypes.PERSON)));
                if (!labelled) {
                    stray++;
                }
            }
        }
        System.out.printf("PERSON findings outside labelled PERSON spans: %d%n", stray);
        assertThat(stray).isZero();
    }

    private List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        detector.detect(text, findings);
        return findings;
    }

    private static boolean survives(String text, String value, List<Finding> findings) {
        for (int at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
            Finding occurrence = new Finding(at, at + value.length(), PiiTypes.PERSON);
            if (findings.stream().anyMatch(occurrence::overlaps)) {
                return false;
            }
        }
        return true;
    }
}
