package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IbanDetectorTest {
    private final IbanDetector detector = new IbanDetector();

    @ParameterizedTest
    @ValueSource(strings = {"DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB29 NWBK 6016 1331 9268 19",
        "GB29NWBK60161331926819", "NL91ABNA0417164300", "NO9386011117947", "MT84 MALT 0110 0001 2345 MTLC AST0 01S"})
    void findsValidIbansCompactOrGroupedByFour(String iban) {
        assertThat(Spans.found(detector, "IBAN " + iban + ", please")).containsExactly(iban);
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE89 3704 0044 0532 0130 01", "GB29NWBK60161331926818", "DE89 3704 0044 0532 0130",
        "XX89370400440532013000", "DE893704004405320130001", "ADE89370400440532013000", "de89370400440532013000"})
    void leavesWrongChecksumsLengthsAndCountriesAlone(String text) {
        assertThat(Spans.found(detector, "see " + text + " here")).isEmpty();
    }

    @Test
    void stopsAtTheCountrysLengthWhenMoreGroupsFollow() {
        assertThat(Spans.found(detector, "IBAN NL91 ABNA 0417 1643 00 2024")).containsExactly("NL91 ABNA 0417 1643 00");
    }
}
