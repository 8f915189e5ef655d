package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class CustomDetectorsTest {
    @Test
    void patternReportsTheWholeMatchWithItsType() {
        PatternDetector detector = new PatternDetector("EMPLOYEE_ID", Pattern.compile("EMP-\\d{6}"));
        List<Finding> findings = new ArrayList<>();

        detector.detect("owner EMP-004211 and EMP-123456.", findings);

        assertThat(findings).containsExactly(new Finding(6, 16, "EMPLOYEE_ID"), new Finding(21, 31, "EMPLOYEE_ID"));
    }

    @Test
    void patternReportsOnlyTheGroupNamedPii() {
        PatternDetector detector = new PatternDetector("EMPLOYEE_ID", Pattern.compile("emp#(?<pii>\\d{6})"));

        assertThat(Spans.found(detector, "ask emp#004211 today")).containsExactly("004211");
    }

    @Test
    void patternSkipsEmptyMatches() {
        PatternDetector detector = new PatternDetector("X", Pattern.compile("\\d*"));

        assertThat(Spans.found(detector, "a12b")).containsExactly("12");
    }

    @Test
    void patternCountsTheCharactersItReadsAsCostlyChecksSoThatABacktrackingOneCanBeStopped() {
        PatternDetector nested = new PatternDetector("X", Pattern.compile("(.*a){12}b"));
        int[] checks = new int[1];

        assertThatThrownBy(() -> nested.detect("a".repeat(40), new ArrayList<>(), () -> {
            if (++checks[0] > 10) {
                throw new IllegalStateException("stopped");
            }
        })).hasMessage("stopped");
    }

    @Test
    void patternWithoutNestedRepetitionReadsEachCharacterAFewTimes() {
        PatternDetector detector = new PatternDetector("EMPLOYEE_ID", Pattern.compile("\\bEMP-\\d{6}\\b"));
        String text = "Ticket for EMP-004211 about the invoice, see attachment. ".repeat(20_000);
        List<Finding> findings = new ArrayList<>();
        int[] checks = new int[1];

        detector.detect(text, findings, () -> checks[0]++);

        assertThat(findings).hasSize(20_000);
        assertThat((long) checks[0] * PatternDetector.READS_PER_CHECK).isLessThan(5L * text.length());
    }

    @Test
    void dictionaryFindsWholeWordsOnly() {
        DictionaryDetector detector = new DictionaryDetector("PROJECT", List.of("Atlas"), false);

        assertThat(Spans.found(detector, "Atlas ships; Atlassian and MyAtlas do not, (Atlas) does."))
                .containsExactly("Atlas", "Atlas");
    }

    @Test
    void dictionaryIgnoresCaseWhenAsked() {
        DictionaryDetector detector = new DictionaryDetector("PROJECT", List.of("Blue Falcon"), true);

        assertThat(Spans.found(detector, "the BLUE FALCON and blue falcon")).containsExactly("BLUE FALCON",
                "blue falcon");
    }

    @Test
    void dictionaryRespectsCaseByDefault() {
        DictionaryDetector detector = new DictionaryDetector("PROJECT", List.of("Blue Falcon"), false);

        assertThat(Spans.found(detector, "the blue falcon and Blue Falcon")).containsExactly("Blue Falcon");
    }

    @Test
    void dictionaryPrefersTheLongestTerm() {
        DictionaryDetector detector = new DictionaryDetector("CUSTOMER", List.of("Acme", "Acme Corp", "Acme Corpus"),
                false);

        assertThat(Spans.found(detector, "Acme Corp signed; Acme Corporation did not")).containsExactly("Acme Corp",
                "Acme");
    }

    @Test
    void dictionaryMatchesTermsWithPunctuation() {
        DictionaryDetector detector = new DictionaryDetector("CODE", List.of("C++", "#ops"), false);

        assertThat(Spans.found(detector, "we use C++ in #ops.")).containsExactly("C++", "#ops");
    }
}
