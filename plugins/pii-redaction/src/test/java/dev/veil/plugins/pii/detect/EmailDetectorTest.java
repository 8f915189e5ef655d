package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailDetectorTest {
    private final EmailDetector detector = new EmailDetector();

    @ParameterizedTest
    @ValueSource(strings = {"jane.doe@example.com", "a.b-c+tag@sub.example.co.uk", "x_y%z@mail-server.example.org",
        "müller@beispiel.de"})
    void findsAddresses(String address) {
        assertThat(Spans.found(detector, "write to " + address + " today")).containsExactly(address);
    }

    @Test
    void leavesASentencesFinalPeriodOut() {
        assertThat(Spans.found(detector, "Mail me at jane@example.com.")).containsExactly("jane@example.com");
    }

    @Test
    void leavesLeadingDotsOfTheLocalPartOut() {
        assertThat(Spans.found(detector, "see ..jane@example.com")).containsExactly("jane@example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ping @jane about it", "user@localhost", "a@b.c", "jane@-bad.example.com",
        "jane@example..com", "@example.com", "jane@example.c0m"})
    void ignoresWhatIsNotAnAddress(String text) {
        assertThat(Spans.found(detector, text)).isEmpty();
    }

    @Test
    void findsSeveralAddressesInOneText() {
        assertThat(Spans.found(detector, "cc a@example.com, b@example.org; c@example.net"))
                .containsExactly("a@example.com", "b@example.org", "c@example.net");
    }
}
