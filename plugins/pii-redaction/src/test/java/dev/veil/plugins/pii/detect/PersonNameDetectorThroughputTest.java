package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Prints how fast ordinary English prompts are scanned; the detector runs on every prompt. Never asserts on time. */
class PersonNameDetectorThroughputTest {
    private static final String PROMPT = """
            Please summarise the following meeting notes for the Product Review on Tuesday. The team discussed the \
            new onboarding flow, the pricing page and the migration to Kubernetes. Customer Service reported that \
            refunds take too long, and Maria Brown from Finance asked for a weekly report. We agreed to ship the \
            first version in March, after the security review. Can you also draft an email to the customer in New \
            York explaining the delay? Keep it short, friendly and professional, and mention that version 2.4 fixes \
            the export bug. Thanks!
            """;

    @Test
    void printsMegabytesPerSecondOnOrdinaryPrompts() {
        PersonNameDetector detector = new PersonNameDetector();
        List<Finding> findings = new ArrayList<>();
        long bytes = PROMPT.getBytes(StandardCharsets.UTF_8).length;
        for (int i = 0; i < 20_000; i++) {
            findings.clear();
            detector.detect(PROMPT, findings);
        }
        int rounds = 100_000;
        long started = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            findings.clear();
            detector.detect(PROMPT, findings);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("PersonNameDetector: %.1f MB/s on one core (%d-byte English prompts)%n",
                bytes * rounds / seconds / 1e6, bytes);

        assertThat(findings).containsExactly(new Finding(PROMPT.indexOf("Maria"), PROMPT.indexOf(" from Finance"),
                PiiTypes.PERSON));
    }
}
