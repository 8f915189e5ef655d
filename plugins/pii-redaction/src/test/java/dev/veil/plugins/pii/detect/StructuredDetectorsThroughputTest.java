package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.veil.plugins.pii.testing.PiiCorpus;

/**
 * Prints how fast the structured detectors scan, on prompts without PII and on PII-dense text. It never asserts a
 * time: shared CI machines are too noisy for that; the figures are for people comparing changes.
 */
class StructuredDetectorsThroughputTest {
    private static final int TEXT_CHARS = 4_000_000;
    private static final int PROMPT_CHARS = 2_000;

    private static final String[] PROSE = {
        "Can you explain why my React component re-renders twice when the state changes? ",
        "I am running Node v20.11.1 on macOS 14.4 and the build takes about 45 seconds. ",
        "Please summarise the following meeting notes in three bullet points for the team. ",
        "The quarterly revenue grew by 12% compared with last year, mostly thanks to Europe. ",
        "Write a haiku about autumn leaves falling on a quiet lake at dawn. ",
        "Here is the stack trace: at com.example.Service.handle(Service.java:142) caused by a null value. ",
        "We scheduled the release for March 15, and the retrospective is at 10:30 on Friday. ",
        "Translate this paragraph into French, keeping the tone friendly but professional. ",
        "What is the difference between a mutex and a semaphore in operating systems? ",
        "The function returns a map from user id to score (see section 4.2 of the spec). ",
        "Refactor this loop so it uses streams instead of an explicit iterator, please. ",
        "Our team of 8 engineers shipped 3 features in the last sprint; velocity was 34 points. ",
    };

    @Test
    void printsThroughputWithoutPii() {
        List<String> prompts = prompts(String.join("", PROSE));
        System.out.printf("structured detectors, prompts without PII: %.1f MB/s%n", megabytesPerSecond(prompts));

        assertThat(prompts.stream().mapToInt(prompt -> StructuredDetectors.detect(prompt).size()).sum()).isZero();
    }

    @Test
    void printsThroughputOnPiiDenseText() {
        StringBuilder corpus = new StringBuilder();
        PiiCorpus.load().forEach(sample -> corpus.append(sample.text()).append('\n'));
        List<String> prompts = prompts(corpus.toString());
        System.out.printf("structured detectors, PII-dense text: %.1f MB/s%n", megabytesPerSecond(prompts));

        assertThat(StructuredDetectors.detect(prompts.get(0))).isNotEmpty();
    }

    /** Cuts a long text made of {@code source} repeated into prompt-sized pieces, as requests arrive. */
    private static List<String> prompts(String source) {
        StringBuilder text = new StringBuilder(TEXT_CHARS + source.length());
        while (text.length() < TEXT_CHARS) {
            text.append(source);
        }
        List<String> prompts = new ArrayList<>();
        for (int start = 0; start + PROMPT_CHARS <= text.length(); start += PROMPT_CHARS) {
            int end = text.indexOf(" ", start + PROMPT_CHARS);
            prompts.add(text.substring(start, end < 0 ? text.length() : end));
        }
        return prompts;
    }

    private static double megabytesPerSecond(List<String> prompts) {
        long chars = prompts.stream().mapToLong(String::length).sum();
        List<Finding> findings = new ArrayList<>();
        for (int warmUp = 0; warmUp < 3; warmUp++) {
            scan(prompts, findings);
        }
        int rounds = 3;
        long started = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            scan(prompts, findings);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return chars * rounds / seconds / 1e6;
    }

    private static void scan(List<String> prompts, List<Finding> findings) {
        for (String prompt : prompts) {
            findings.clear();
            for (Detector detector : StructuredDetectors.ALL) {
                detector.detect(prompt, findings);
            }
        }
    }
}
