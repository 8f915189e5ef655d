package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsSsnDetectorTest {
    private final UsSsnDetector detector = new UsSsnDetector();

    @ParameterizedTest
    @ValueSource(strings = {"123-45-6789", "123 45 6789", "899-99-9999", "001-01-0001", "665-12-3456"})
    void findsIssuableNumbersDashedOrSpaced(String ssn) {
        assertThat(Spans.found(detector, "SSN: " + ssn + ".")).containsExactly(ssn);
    }

    @ParameterizedTest
    @ValueSource(strings = {"000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567",
        "123-45-0000"})
    void leavesNeverIssuedNumbersAlone(String ssn) {
        assertThat(Spans.found(detector, "SSN: " + ssn)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"123456789", "123-45 6789", "A123-45-6789", "123-45-67890", "ORD-123-45-6789",
        "123-45-6789-1", "1123-45-6789"})
    void leavesOtherShapesAlone(String text) {
        assertThat(Spans.found(detector, "see " + text + " here")).isEmpty();
    }
}
