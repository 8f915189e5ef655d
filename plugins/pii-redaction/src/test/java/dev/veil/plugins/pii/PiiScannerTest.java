package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.veil.plugins.pii.detect.EmailDetector;
import dev.veil.plugins.pii.detect.Finding;
import dev.veil.plugins.pii.detect.PhoneDetector;

class PiiScannerTest {
    private static final String EMAIL = "maria@example.com ";
    private static final Runnable NO_CHECKS = () -> {
    };

    @Test
    void aMoreSpecificTypeWinsOverALongerOne() {
        List<Finding> settled = PiiScanner.settle(new ArrayList<>(List.of(new Finding(0, 20, "PERSON"),
                new Finding(5, 15, "EMAIL"))), new Claims());

        assertThat(settled).containsExactly(new Finding(5, 15, "EMAIL"));
    }

    @Test
    void aCustomTypeWinsOverABuiltInOne() {
        List<Finding> settled = PiiScanner.settle(new ArrayList<>(List.of(new Finding(0, 20, "SECRET"),
                new Finding(5, 15, "EMPLOYEE_ID"))), new Claims());

        assertThat(settled).containsExactly(new Finding(5, 15, "EMPLOYEE_ID"));
    }

    @Test
    void theLongerFindingOfOneTypeWins() {
        List<Finding> settled = PiiScanner.settle(new ArrayList<>(List.of(new Finding(0, 4, "PHONE"),
                new Finding(2, 12, "PHONE"), new Finding(11, 14, "PHONE"))), new Claims());

        assertThat(settled).containsExactly(new Finding(2, 12, "PHONE"));
    }

    @Test
    void keepsFindingsThatOnlyTouchInTextOrder() {
        List<Finding> settled = PiiScanner.settle(new ArrayList<>(List.of(new Finding(10, 20, "PERSON"),
                new Finding(0, 10, "EMAIL"), new Finding(20, 25, "PHONE"))), new Claims());

        assertThat(settled).containsExactly(new Finding(0, 10, "EMAIL"), new Finding(10, 20, "PERSON"),
                new Finding(20, 25, "PHONE"));
    }

    /**
     * The work of settling, counted rather than timed: a kept finding is found among the others by a sorted lookup,
     * so each candidate costs a few comparisons per doubling of the count, where comparing it with every kept one
     * cost {@code n²/2} in all.
     */
    @ParameterizedTest
    @ValueSource(ints = {1_000, 10_000, 100_000})
    void settlingCostsLogarithmicallyManyComparisonsPerCandidate(int emails) {
        List<Finding> candidates = new ArrayList<>();
        for (int i = 0; i < emails; i++) {
            int start = i * EMAIL.length();
            candidates.add(new Finding(start, start + EMAIL.length() - 1, "EMAIL"));
            candidates.add(new Finding(start, start + 5, "PERSON"));
        }
        Claims claims = new Claims();

        List<Finding> settled = PiiScanner.settle(candidates, claims);

        assertThat(settled).hasSize(emails).allMatch(finding -> finding.type().equals("EMAIL"));
        double perCandidate = (double) claims.comparisons() / candidates.size();
        System.out.printf("settling %d candidates: %d comparisons, %.1f per candidate%n", candidates.size(),
                claims.comparisons(), perCandidate);
        assertThat(perCandidate).isLessThanOrEqualTo(4 * (Math.log(candidates.size()) / Math.log(2) + 1));
    }

    @Test
    void scansAPromptOfNothingButEmailsWhole() {
        List<Finding> found = new PiiScanner(List.of(new EmailDetector())).scan(EMAIL.repeat(80_000));

        assertThat(found).hasSize(80_000);
        assertThat(found.get(79_999)).isEqualTo(new Finding(79_999 * 18, 79_999 * 18 + 17, "EMAIL"));
    }

    @Test
    void refusesMoreFindingsThanTheLimit() {
        PiiScanner scanner = new PiiScanner(List.of(new EmailDetector()));

        assertThat(scanner.scan(EMAIL.repeat(100), 100, NO_CHECKS)).hasSize(100);
        assertThatThrownBy(() -> scanner.scan(EMAIL.repeat(101), 100, NO_CHECKS)).isInstanceOf(TooManyFindingsException.class);
    }

    @Test
    void countsTheLimitAfterOverlapsAreSettled() {
        PiiScanner scanner = new PiiScanner(List.of(new EmailDetector(),
                new RegexDetector("PERSON", Pattern.compile("maria"))));

        assertThat(scanner.scan(EMAIL.repeat(100), 100, NO_CHECKS)).hasSize(100);
    }

    @Test
    void letsTheCallerStopTheScanAtACostlyCheck() {
        PiiScanner scanner = new PiiScanner(List.of(new PhoneDetector(PhoneDetector.DEFAULT_REGIONS)));
        Runnable refuse = () -> {
            throw new TooManyFindingsException();
        };

        assertThat(scanner.scan("Order 12345678 on 2024-03-15", 100, refuse)).isEmpty();
        assertThatThrownBy(() -> scanner.scan("Call 020 7946 0018", 100, refuse))
                .isInstanceOf(TooManyFindingsException.class);
    }

    @Test
    void stopsOnceTheDetectorsReportMoreThanTwiceTheLimitInCandidatesThoughFewerWouldBeKept() {
        RegexDetector letters = new RegexDetector("LETTER", Pattern.compile("a"));
        PiiScanner twoAlike = new PiiScanner(List.of(letters, new RegexDetector("WORD", Pattern.compile("\\w"))));
        PiiScanner threeAlike = new PiiScanner(List.of(letters, new RegexDetector("WORD", Pattern.compile("\\w")),
                new RegexDetector("CHAR", Pattern.compile("."))));

        assertThat(twoAlike.scan("a".repeat(100), 100, NO_CHECKS)).hasSize(100);
        assertThatThrownBy(() -> threeAlike.scan("a".repeat(100), 100, NO_CHECKS))
                .isInstanceOf(TooManyFindingsException.class);
    }
}
