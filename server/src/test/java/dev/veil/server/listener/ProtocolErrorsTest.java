package dev.veil.server.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.ErrorShape;
import dev.veil.server.testing.RawHttpConnection;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests too malformed to reach routing are answered with the status that says what is wrong, in the API's error
 * shape, and the connection is closed; the log says so at most once a minute per kind, never with a stack trace.
 */
class ProtocolErrorsTest {
    private static VeilUnderTest veil;

    @BeforeAll
    static void start() {
        veil = startVeil();
    }

    private static VeilUnderTest startVeil() {
        return VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  providers: {veil: {kind: echo}}
                """.formatted(VeilUnderTest.MASTER_KEY));
    }

    @AfterAll
    static void stop() {
        veil.close();
    }

    private static RawHttpConnection.Response send(String request) throws Exception {
        return send(veil, request);
    }

    private static RawHttpConnection.Response send(VeilUnderTest server, String request) throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(server.port())) {
            RawHttpConnection.Response response = connection.sendRaw(request).read();
            assertThat(connection.closedByServer()).as("closed after a protocol error").isTrue();
            return response;
        }
    }

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                Arguments.of("a request line without a target", "GARBAGE\r\n\r\n", 400),
                Arguments.of("HTTP/2.0", "GET /health/live HTTP/2.0\r\nHost: veil\r\n\r\n", 505),
                Arguments.of("HTTP/0.9", "GET /health/live HTTP/0.9\r\nHost: veil\r\n\r\n", 505),
                Arguments.of("the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
                Arguments.of("a header line without a colon",
                        "GET /health/live HTTP/1.1\r\nHost: veil\r\nNo colon here\r\n\r\n", 400),
                Arguments.of("a control character in a header value",
                        "GET /health/live HTTP/1.1\r\nHost: veil\r\nX-A: a\u0001b\r\n\r\n", 400),
                Arguments.of("a method that is no token", "G@T /health/live HTTP/1.1\r\nHost: veil\r\n\r\n", 400),
                Arguments.of("no Host", "GET /health/live HTTP/1.1\r\n\r\n", 400),
                Arguments.of("a bad percent escape", "GET /v1/%zz HTTP/1.1\r\nHost: veil\r\n\r\n", 400),
                Arguments.of("Content-Length with Transfer-Encoding", "POST /v1/chat/completions HTTP/1.1\r\n"
                        + "Host: veil\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("two different Content-Lengths", "POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n"
                        + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}}", 400),
                Arguments.of("a Content-Length that is no number", "POST /v1/chat/completions HTTP/1.1\r\n"
                        + "Host: veil\r\nContent-Length: 1x\r\n\r\n{}", 400),
                Arguments.of("a negative Content-Length", "POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n"
                        + "Content-Length: -1\r\n\r\n{}", 400),
                Arguments.of("a transfer coding Veil does not take", "POST /v1/chat/completions HTTP/1.1\r\n"
                        + "Host: veil\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void answersAMalformedRequestInShapeWithTheStatusThatSaysWhy(String what, String request, int status)
            throws Exception {
        RawHttpConnection.Response response = send(request);

        assertThat(response.status()).as(what).isEqualTo(status);
        assertThat(response.header("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("application/json"));
        assertThat(ErrorShape.openAi(response.bodyText()).path("type").asText()).isNotBlank();
    }

    @Test
    void answersARequestLineTooLongWith414() throws Exception {
        RawHttpConnection.Response response = send("GET /v1/models/" + "m".repeat(9000) + " HTTP/1.1\r\n"
                + "Host: veil\r\n\r\n");

        assertThat(response.status()).isEqualTo(414);
        ErrorShape.openAi(response.bodyText());
    }

    @Test
    void answersAHeaderSectionTooLargeWith431() throws Exception {
        RawHttpConnection.Response response = send("GET /v1/models HTTP/1.1\r\nHost: veil\r\nX-Big: "
                + "b".repeat(20_000) + "\r\n\r\n");

        assertThat(response.status()).isEqualTo(431);
        assertThat(ErrorShape.openAi(response.bodyText()).path("code").asText())
                .isEqualTo("request_header_fields_too_large");
    }

    @Test
    void answersAProtocolErrorOnMessagesInAnthropicShape() throws Exception {
        RawHttpConnection.Response response = send("POST /v1/messages HTTP/1.1\r\nHost: veil\r\nX-Big: "
                + "b".repeat(20_000) + "\r\n\r\n");

        assertThat(response.status()).isEqualTo(431);
        ErrorShape.anthropic(response.bodyText());
    }

    @Test
    void answersAnUnsupportedVersionOnMessagesInAnthropicShape() throws Exception {
        RawHttpConnection.Response response = send("POST /v1/messages HTTP/2.0\r\nHost: veil\r\n\r\n");

        assertThat(response.status()).isEqualTo(505);
        ErrorShape.anthropic(response.bodyText());
    }

    @Test
    void answersAnHttp10RequestOnAConnectionThatBeganWithHttp11With400() throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(veil.port())) {
            assertThat(connection.send("GET /health/live HTTP/1.1\r\nHost: veil").read().status()).isEqualTo(200);

            RawHttpConnection.Response response = connection.send("GET /health/live HTTP/1.0").read();

            assertThat(response.status()).isEqualTo(400);
            ErrorShape.openAi(response.bodyText());
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void quotesNothingOfTheRequestInTheAnswer() throws Exception {
        RawHttpConnection.Response response = send("GET /health/live HTTP/1.1\r\nHost: veil\r\n"
                + "X-Secret sk-live-abcdef\r\n\r\n");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.bodyText()).doesNotContain("sk-live").doesNotContain("X-Secret");
    }

    @Test
    void logsEachKindAtMostOnceAMinuteAndNeverAStackTrace() throws Exception {
        // A server of its own: no error of these kinds was logged on it yet.
        try (VeilUnderTest fresh = startVeil(); CapturedLogs logs = CapturedLogs.open()) {
            // As a deployment logs: Helidon's own debug lines are not written.
            Logger.getLogger("io.helidon").setLevel(Level.INFO);
            for (int i = 0; i < 20; i++) {
                send(fresh, "GET /health/live HTTP/1.1\r\nHost: veil\r\nX-Big: " + "b".repeat(20_000)
                        + "\r\n\r\n");
                send(fresh, "G@T /health/live HTTP/1.1\r\nHost: veil\r\n\r\n");
            }

            List<String> lines = logs.records().stream()
                    .filter(line -> line.contains("431") || line.contains("malformed_request")
                            || line.contains("Exception")).toList();
            assertThat(lines).hasSize(2);
            assertThat(logs.text()).doesNotContain("\tat ").doesNotContain("SEVERE");
        }
    }
}
