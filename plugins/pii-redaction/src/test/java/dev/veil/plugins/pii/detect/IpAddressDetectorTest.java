package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressDetectorTest {
    private final IpAddressDetector detector = new IpAddressDetector();

    @ParameterizedTest
    @ValueSource(strings = {"192.168.1.20", "8.8.8.8", "255.255.255.255", "2001:db8::8a2e:370:7334",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "fe80:0:0:0:200:f8ff:fe21:67cf", "::ffff:192.0.2.128",
        "2a02:1234:abcd::1"})
    void findsAddresses(String address) {
        assertThat(Spans.found(detector, "from " + address + " today")).contains(address);
    }

    @Test
    void leavesASentencesFinalPeriodOut() {
        assertThat(Spans.found(detector, "Blocked 10.0.0.1.")).containsExactly("10.0.0.1");
        assertThat(Spans.found(detector, "Blocked 2001:db8::8a2e:370:7334."))
                .containsExactly("2001:db8::8a2e:370:7334");
    }

    @Test
    void findsAnAddressFollowedByAPort() {
        assertThat(Spans.found(detector, "connect to 10.1.2.3:8080")).containsExactly("10.1.2.3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"image: registry.example.com/ingest:7.4.27.153", "GET /v2/health 200 build=5.6.26.201"})
    void leavesImageTagsAndBuildNumbersAlone(String text) {
        assertThat(Spans.found(detector, text)).isEmpty();
    }

    @Test
    void leavesTheAnyInterfaceAddressOfAListenAddressAlone() {
        assertThat(Spans.found(detector, "LISTEN=0.0.0.0:9090")).isEmpty();
    }

    @Test
    void reportsABareDottedQuadAsAnAddress() {
        assertThat(Spans.found(detector, "try 1.2.3.4 first")).containsExactly("1.2.3.4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1.2.3.4", "version 1.2.3.4", "1.2.3.4.5", "v6.8.10", "256.1.1.1", "192.168.01.1",
        "1.2.3", "localhost:28792", "12:30:45", "std::vector", "00:1a:2b:3c:4d:5e", "::1", "fe80::1",
        "9bdeb398-127e-4148-a173-1d96a3b00043", "2001:db8::1::2", "1:2:3:4:5:6:7:8:9"})
    void leavesVersionsTimesAndOtherLookAlikesAlone(String text) {
        assertThat(Spans.found(detector, "see " + text + " here")).isEmpty();
    }
}
