package dev.veil.server.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.helidon.common.buffers.BufferData;
import org.junit.jupiter.api.Test;

/** Responses as Helidon writes them, in pieces split at every offset, as an HTTP/1.0 client must receive them. */
class ResponseTranslatorTest {
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
            + "d\r\ndata: first\n\n\r\n" + "e\r\ndata: second\n\n\r\n" + "0\r\n\r\n";
    private static final String CHUNKED_AS_SENT = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Connection: close\r\n\r\n" + "data: first\n\n" + "data: second\n\n";
    private static final String LENGTH = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: keep-alive\r\n\r\n"
            + "{\"status\":\"UP\"}";

    /** Every way of cutting {@code written} in two, and byte by byte: each must give the same bytes. */
    private static List<List<String>> splits(String written) {
        List<List<String>> splits = new ArrayList<>();
        for (int cut = 0; cut <= written.length(); cut++) {
            splits.add(List.of(written.substring(0, cut), written.substring(cut)));
        }
        splits.add(written.chars().mapToObj(c -> String.valueOf((char) c)).toList());
        return splits;
    }

    private static String translate(ResponseTranslator translator, List<String> pieces) {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (String piece : pieces) {
            BufferData out = translator.translate(BufferData.create(piece.getBytes(StandardCharsets.ISO_8859_1)));
            byte[] bytes = new byte[out.available()];
            out.read(bytes);
            sent.writeBytes(bytes);
        }
        return sent.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void removesChunkingAndEndsTheStreamByClosingWhereverTheWritesAreCut() {
        for (List<String> pieces : splits(CHUNKED)) {
            ResponseTranslator translator = ResponseTranslator.forHttp10(true);

            assertThat(translate(translator, pieces)).isEqualTo(CHUNKED_AS_SENT);
            assertThat(translator.closesConnection()).isTrue();
        }
    }

    @Test
    void keepsTheConnectionAfterALengthWhenTheClientAskedForKeepAlive() {
        for (List<String> pieces : splits(LENGTH)) {
            ResponseTranslator translator = ResponseTranslator.forHttp10(true);

            assertThat(translate(translator, pieces)).isEqualTo(LENGTH);
            assertThat(translator.closesConnection()).isFalse();
        }
    }

    @Test
    void closesAfterALengthWhenTheClientDidNotAskForKeepAlive() {
        ResponseTranslator translator = ResponseTranslator.forHttp10(false);

        assertThat(translate(translator, List.of(LENGTH))).isEqualTo(LENGTH.replace("keep-alive", "close"));
        assertThat(translator.closesConnection()).isTrue();
    }

    @Test
    void closesWhenTheResponseSaysSoEvenIfTheClientAskedForKeepAlive() {
        ResponseTranslator translator = ResponseTranslator.forHttp10(true);

        assertThat(translate(translator, List.of(LENGTH.replace("keep-alive", "close"))))
                .isEqualTo(LENGTH.replace("keep-alive", "close"));
        assertThat(translator.closesConnection()).isTrue();
    }

    @Test
    void dropsInterimResponsesAnHttp10ClientCannotExpect() {
        ResponseTranslator translator = ResponseTranslator.forHttp10(true);

        assertThat(translate(translator, List.of("HTTP/1.1 100 Continue\r\n\r\n", LENGTH))).isEqualTo(LENGTH);
    }

    @Test
    void dropsTrailersWithTheChunking() {
        String withTrailers = CHUNKED.replace("Connection: keep-alive\r\n", "Trailer: stream-result\r\n")
                .replace("0\r\n\r\n", "0\r\nstream-result: OK\r\n\r\n");

        assertThat(translate(ResponseTranslator.forHttp10(false), List.of(withTrailers))).isEqualTo(CHUNKED_AS_SENT);
    }

    @Test
    void leavesResponsesToOtherVersionsAsWritten() {
        ResponseTranslator translator = ResponseTranslator.passThrough();

        assertThat(translate(translator, List.of(CHUNKED))).isEqualTo(CHUNKED);
        assertThat(translator.closesConnection()).isFalse();
    }
}
