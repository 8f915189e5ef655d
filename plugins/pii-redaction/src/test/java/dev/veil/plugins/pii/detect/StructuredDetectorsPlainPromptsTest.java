package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Everyday prompts carry versions, times, percentages, counts and stack traces that look like structured PII; none
 * of it may be reported. How fast such prompts are scanned is measured by JMH: {@code bench/micro pii-redaction}.
 */
class StructuredDetectorsPlainPromptsTest {
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

    /** Prompts cut from the sentences run together, starting at every offset, so also halfway through a number. */
    @Test
    void reportNothingInPromptsWithoutPiiWhereverTheyStart() {
        String sentences = String.join("", PROSE);
        String twice = sentences.repeat(2);

        for (int start = 0; start < sentences.length(); start++) {
            String prompt = twice.substring(start, start + sentences.length());
            assertThat(StructuredDetectors.detect(prompt)).as("from offset %d: %s", start, prompt).isEmpty();
        }
    }
}
