package dev.veil.server.audit.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SyslogFramingTest {
    @Test
    void octetCountingPrefixesTheMessageLengthInBytes() {
        byte[] message = "<134>1 - - veil - audit - {\"seq\":1,\"x\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8);

        String framed = new String(SyslogSink.frame(message), StandardCharsets.UTF_8);

        assertThat(message.length).isEqualTo(47);
        assertThat(framed).isEqualTo("47 " + new String(message, StandardCharsets.UTF_8));
    }

    @Test
    void framesFollowEachOtherWithoutSeparator() {
        byte[] first = SyslogSink.frame("a".getBytes(StandardCharsets.US_ASCII));
        byte[] second = SyslogSink.frame("bc".getBytes(StandardCharsets.US_ASCII));

        assertThat(new String(first, StandardCharsets.US_ASCII) + new String(second, StandardCharsets.US_ASCII))
                .isEqualTo("1 a2 bc");
    }

    @Test
    void messageHasTheRfc5424HeaderAndTheDocumentAsMsg() {
        byte[] message = SyslogSink.message("<134>1 ", 1_765_000_000_123L, "node-a", "veil", "-",
                "{\"seq\":7}".getBytes(StandardCharsets.US_ASCII));

        assertThat(new String(message, StandardCharsets.US_ASCII))
                .isEqualTo("<134>1 2025-12-06T05:46:40.123Z node-a veil - audit - {\"seq\":7}");
    }

    @Test
    void structuredDataEscapesQuoteBackslashAndBracket() {
        Map<String, Map<String, String>> sd = new LinkedHashMap<>();
        sd.put("env@32473", Map.of("name", "a\"b\\c]d"));

        assertThat(SyslogSink.structuredData(sd)).isEqualTo("[env@32473 name=\"a\\\"b\\\\c\\]d\"]");
    }

    @Test
    void noStructuredDataIsTheNilValue() {
        assertThat(SyslogSink.structuredData(Map.of())).isEqualTo("-");
    }
}
