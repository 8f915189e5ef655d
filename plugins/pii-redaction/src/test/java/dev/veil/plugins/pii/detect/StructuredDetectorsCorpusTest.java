package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.veil.plugins.pii.testing.PiiCorpus;
import dev.veil.plugins.pii.testing.PiiCorpus.Negative;
import dev.veil.plugins.pii.testing.PiiCorpus.Sample;
import dev.veil.plugins.pii.testing.PiiCorpus.Span;

/** Recall and look-alike survival of the structured detectors on the labelled corpus. */
class StructuredDetectorsCorpusTest {
    private static final double MIN_RECALL = 0.99;
    private static final double MIN_SURVIVAL = 0.99;

    private static List<Sample> samples;

    @BeforeAll
    static void load() {
        samples = PiiCorpus.load();
    }

    @Test
    void everyStructuredTypeIsFoundWithExactSpans() {
        Map<String, int[]> foundAndTotal = new TreeMap<>();
        for (Sample sample : samples) {
            List<Finding> findings = StructuredDetectors.detect(sample.text());
            for (Span span : sample.spans()) {
                if (span.type().equals(PiiTypes.PERSON)) {
                    continue;
                }
                int[] counts = foundAndTotal.computeIfAbsent(span.type(), type -> new int[2]);
                counts[1]++;
                if (findings.contains(new Finding(span.start(), span.end(), span.type()))) {
                    counts[0]++;
                }
            }
        }
        foundAndTotal.forEach((type, counts) -> System.out.printf("recall %-12s %4d/%4d = %.4f%n", type, counts[0],
                counts[1], (double) counts[0] / counts[1]));

        assertThat(foundAndTotal).isNotEmpty();
        foundAndTotal.forEach((type, counts) -> assertThat((double) counts[0] / counts[1]).as("recall of %s", type)
                .isGreaterThanOrEqualTo(MIN_RECALL));
    }

    @Test
    void lookAlikesSurvive() {
        Map<String, int[]> survivedAndTotal = new TreeMap<>();
        int survived = 0;
        int total = 0;
        for (Sample sample : samples) {
            List<Finding> findings = StructuredDetectors.detect(sample.text());
            for (Negative negative : sample.negatives()) {
                boolean survives = survives(sample.text(), negative.value(), findings);
                int[] counts = survivedAndTotal.computeIfAbsent(negative.kind(), kind -> new int[2]);
                counts[1]++;
                total++;
                if (survives) {
                    counts[0]++;
                    survived++;
                }
            }
        }
        survivedAndTotal.forEach((kind, counts) -> System.out.printf("survival %-14s %4d/%4d%n", kind, counts[0],
                counts[1]));
        double rate = (double) survived / total;
        System.out.printf("survival overall %d/%d = %.4f%n", survived, total, rate);

        assertThat(rate).isGreaterThanOrEqualTo(MIN_SURVIVAL);
    }

    private static boolean survives(String text, String value, List<Finding> findings) {
        for (int at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
            int start = at;
            int end = at + value.length();
            if (findings.stream().anyMatch(finding -> finding.start() < end && start < finding.end())) {
                return false;
            }
        }
        return true;
    }
}
