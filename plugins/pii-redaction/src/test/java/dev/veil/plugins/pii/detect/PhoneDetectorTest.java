package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneDetectorTest {
    private final PhoneDetector detector = new PhoneDetector(PhoneDetector.DEFAULT_REGIONS);

    @ParameterizedTest
    @ValueSource(strings = {"+44 20 7946 0958", "+1 (212) 555-0147", "+33 6 12 34 56 78", "+49 171 1234567",
        "+49 (0)30 1234567", "+49 (0) 30 1234567", "+91 98765 43210", "+81 90-1234-5678", "+61 412 345 678",
        "+34 612 34 56 78", "+39 333 123 4567", "+31 20 123 4567", "(+44) 20 7946 0958", "0044 20 7946 0958",
        "+12125550147"})
    void findsInternationalNumbers(String number) {
        assertThat(Spans.found(detector, "call " + number + " now")).containsExactly(number);
    }

    @ParameterizedTest
    @ValueSource(strings = {"(212) 555-0147", "212-555-0147", "212.555.0147", "1-800-555-0199", "020 7946 0958",
        "01 42 68 53 00", "06 12 34 56 78", "030 12345678", "089/1234567", "612 34 56 78", "333 123 4567",
        "98765 43210", "03-1234-5678", "0412 345 678", "(02) 9876 5432", "020 123 4567"})
    void findsNationalNumbersOfTheDefaultRegions(String number) {
        assertThat(Spans.found(detector, "call " + number + " now")).containsExactly(number);
    }

    @Test
    void reportsEachCandidateCheckedWithLibphonenumberBeforeTheCheck() {
        List<Finding> findings = new java.util.ArrayList<>();
        int[] checks = new int[1];

        detector.detect("Order 12345678 of 2024-03-15 from 10.0.0.1, SSN 123-45-6789; call 020 7946 0958 or "
                + "0000 0000", findings, () -> checks[0]++);

        assertThat(findings).hasSize(1);
        assertThat(checks[0]).isEqualTo(2);
    }

    @Test
    void findsFictionalNumbersWrittenInAPhoneFormat() {
        assertThat(Spans.found(detector, "call (555) 234-5678 or +1 556-230-9458"))
                .containsExactly("(555) 234-5678", "+1 556-230-9458");
    }

    @Test
    void leavesTrailingPunctuationOut() {
        assertThat(Spans.found(detector, "Call me at 020 7946 0958.")).containsExactly("020 7946 0958");
        assertThat(Spans.found(detector, "(call +44 20 7946 0958), thanks")).containsExactly("+44 20 7946 0958");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-03-15", "15.03.2024", "03/15/2024", "2024-03-15 10:30", "ORD-2022-83924",
        "JIRA-70707", "$76,862.25", "localhost:28792", "v6.8.10", "81.229.97.253", "123-45-6789",
        "4929 0810 0339 0754", "4608-1320-9228-4953", "3744-552539-29628", "FR04 7017 4681 45Y3 8401 9161 461",
        "GB12 BPMW 6619 3451 4506 12", "9bdeb398-127e-4148-a173-1d96a3b00043", "1712345678", "20240315",
        "12 345 678", "€1234567890", "032fbce3952a71b26111b4b561e09c2fa98a372e", "build 123456789012"})
    void leavesLookAlikesAlone(String text) {
        assertThat(Spans.found(detector, "see " + text + " here")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SKU 718-7327-16", "order 583 0719 48", "tracking no. 515-0206-59",
        "NHS number 964 628 8244", "sample PN 945-83607"})
    void leavesNumbersNamedAsIdentifiersAlone(String text) {
        assertThat(Spans.found(detector, "rejected: " + text + ".")).isEmpty();
    }

    @Test
    void recognisesOnlyTheConfiguredRegionsNationalFormats() {
        PhoneDetector usOnly = new PhoneDetector(List.of("US"));

        assertThat(Spans.found(usOnly, "ring 98765 43210")).isEmpty();
        assertThat(Spans.found(detector, "ring 98765 43210")).containsExactly("98765 43210");
    }

    @Test
    void rejectsAnUnknownRegionWithoutEchoingText() {
        assertThatThrownBy(() -> new PhoneDetector(List.of("XX"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("XX");
    }
}
