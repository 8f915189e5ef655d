package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PaymentCardDetectorTest {
    private final PaymentCardDetector detector = new PaymentCardDetector();

    @ParameterizedTest
    @ValueSource(strings = {"4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "4222222222222",
        "5555555555554444", "5105 1051 0510 5100", "2223003122003222", "2720 9900 0000 0007", "378282246310005",
        "3782 822463 10005", "3714-496353-98431", "6011111111111117", "6011 0009 9013 9424", "6445644564456445",
        "41 1111 1111 111 111", "3530111333300000", "3589 1248 2285 7562", "30569309025904", "3053 574420 3208",
        "38496802534624", "6257382939791629", "6243 9960 5654 2700"})
    void findsLuhnValidCardsOfEveryBrandInAnyGrouping(String card) {
        assertThat(Spans.found(detector, "card " + card + ", thanks")).containsExactly(card);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111 1111 1111 1112", "5555555555554445", "378282246310006", "2721 0000 0000 0004",
        "2220 0000 0000 0000", "3530111333300001", "1234567890123452", "4111 1111 1111 111", "ORD-4111111111111111",
        "4111111111111111abc", "+4111111111111111", "DE89 4111 1111 1111 1111 11"})
    void leavesOtherNumbersAlone(String text) {
        assertThat(Spans.found(detector, "see " + text + " here")).isEmpty();
    }
}
