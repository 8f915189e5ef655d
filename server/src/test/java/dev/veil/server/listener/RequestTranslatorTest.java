package dev.veil.server.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.webserver.CloseConnectionException;
import org.junit.jupiter.api.Test;

/** What Helidon's HTTP/1.1 connection reads when an HTTP/1.0 client sends requests, however the reads cut them. */
class RequestTranslatorTest {
    private static final String LOCAL = "127.0.0.1:8080";
    private static final String RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    /** Every way of cutting {@code sent} in two, and byte by byte. */
    private static List<List<String>> splits(String sent) {
        List<List<String>> splits = new ArrayList<>();
        for (int cut = 1; cut < sent.length(); cut++) {
            splits.add(List.of(sent.substring(0, cut), sent.substring(cut)));
        }
        splits.add(sent.chars().mapToObj(c -> String.valueOf((char) c)).toList());
        return splits;
    }

    private static RequestTranslator translator(List<String> reads) {
        return new RequestTranslator(socket(reads), LOCAL, 4096, Long.MAX_VALUE);
    }

    private static DataReader socket(List<String> reads) {
        Iterator<String> pieces = reads.iterator();
        return DataReader.create(() -> pieces.hasNext() ? pieces.next().getBytes(StandardCharsets.ISO_8859_1) : null);
    }

    /**
     * Reads as Helidon does, answering each request once its head and body are read: what the translator handed on,
     * one string per request.
     */
    private static List<String> serve(RequestTranslator translator) {
        List<String> requests = new ArrayList<>();
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        for (byte[] bytes = translator.get(); bytes != null; bytes = translator.get()) {
            request.writeBytes(bytes);
            String text = request.toString(StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            int length = text.contains("Content-Length: ")
                    ? Integer.parseInt(text.replaceAll("(?s).*Content-Length: (\\d+).*", "$1")) : 0;
            if (headEnd >= 0 && text.length() == headEnd + 4 + length) {
                requests.add(text);
                request.reset();
                translator.response().translate(BufferData.create(RESPONSE.getBytes(StandardCharsets.ISO_8859_1)));
            }
        }
        if (request.size() > 0) {
            requests.add(request.toString(StandardCharsets.ISO_8859_1));
        }
        return requests;
    }

    @Test
    void handsOnAnHttp10RequestAsHttp11WithHostAndCloseAndEndsTheConnectionAfterIt() {
        String sent = "GET /health/ready HTTP/1.0\r\n\r\nGET /health/live HTTP/1.0\r\n\r\n";
        for (List<String> reads : splits(sent)) {
            assertThat(serve(translator(reads))).containsExactly(
                    "GET /health/ready HTTP/1.1\r\nHost: " + LOCAL + "\r\nConnection: close\r\n\r\n");
        }
    }

    @Test
    void keepsAHostTheClientSent() {
        assertThat(serve(translator(List.of("GET / HTTP/1.0\r\nHost: veil.internal\r\n\r\n"))))
                .containsExactly("GET / HTTP/1.1\r\nHost: veil.internal\r\nConnection: close\r\n\r\n");
    }

    @Test
    void cutsEachBodyAtItsLengthSoKeptAliveRequestsArriveOneByOne() {
        String first = "POST /v1/x HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello";
        String second = "POST /v1/x HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nbye";
        for (List<String> reads : splits(first + second)) {
            assertThat(serve(translator(reads))).containsExactly(
                    "POST /v1/x HTTP/1.1\r\nConnection: keep-alive\r\nContent-Length: 5\r\nHost: " + LOCAL
                            + "\r\n\r\nhello",
                    "POST /v1/x HTTP/1.1\r\nContent-Length: 3\r\nHost: " + LOCAL + "\r\nConnection: close\r\n\r\nbye");
        }
    }

    @Test
    void failsTheReadOfAChunkedBodyWhoseFramingBreaksAndReadsNothingAfter() {
        RequestTranslator translator = translator(List.of("POST /v1/x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
                + "\r\n", "zz\r\n{}\r\n0\r\n\r\n"));
        translator.get();

        assertThatThrownBy(translator::get).isInstanceOfSatisfying(ClientReadException.class,
                failure -> assertThat(failure.status()).isEqualTo(400));
        assertThatThrownBy(translator::get).isInstanceOf(CloseConnectionException.class);
    }

    @Test
    void failsTheReadOfChunksThatDeclareMoreThanABodyMayCarry() {
        RequestTranslator translator = new RequestTranslator(socket(List.of("POST /v1/x HTTP/1.0\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", "400\r\n")), LOCAL, 4096, 1000);
        translator.get();

        assertThatThrownBy(translator::get).isInstanceOfSatisfying(ClientReadException.class,
                failure -> assertThat(failure.status()).isEqualTo(413));
    }

    @Test
    void passesAChunkedBodyAsSentAndClosesAfterItsFaultyFraming() {
        String sent = "POST /v1/x HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;ext=1\r\nabc\r\n0\r\n\r\n" + "GET /health/live HTTP/1.0\r\n\r\n";
        RequestTranslator translator = translator(List.of(sent));
        StringBuilder handedOn = new StringBuilder();
        for (byte[] bytes = translator.get(); bytes != null; bytes = translator.get()) {
            handedOn.append(new String(bytes, StandardCharsets.ISO_8859_1));
        }

        assertThat(handedOn.toString()).isEqualTo("POST /v1/x HTTP/1.1\r\nConnection: keep-alive\r\n"
                + "Transfer-Encoding: chunked\r\nHost: " + LOCAL + "\r\nConnection: close\r\n\r\n"
                + "3;ext=1\r\nabc\r\n0\r\n\r\n");
    }

    @Test
    void leavesOtherVersionsAsSent() {
        String sent = "GET /health/live HTTP/1.1\r\nHost: veil.internal\r\n\r\n";

        assertThat(serve(translator(List.of(sent, sent)))).containsExactly(sent, sent);
    }

    @Test
    void handsOnAHeadTooLongToTranslateAsSentForHelidonToRefuse() {
        String sent = "GET /" + "a".repeat(5000) + " HTTP/1.0\r\n\r\n";
        RequestTranslator translator = translator(List.of(sent));
        StringBuilder handedOn = new StringBuilder();
        for (byte[] bytes = translator.get(); bytes != null; bytes = translator.get()) {
            handedOn.append(new String(bytes, StandardCharsets.ISO_8859_1));
        }

        assertThat(handedOn.toString()).isEqualTo(sent);
    }
}
