package dev.veil.server.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.RawHttpConnection;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.0 clients (load balancers' health checks, old monitors, {@code curl --http1.0}) get answers they can read
 * (RFC 9112 §9.3): a {@code Content-Length} or a body ended by closing the connection, never chunked, and the
 * connection closed unless they asked for {@code Connection: keep-alive}.
 */
class Http10Test {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTHORIZATION = "Authorization: Bearer " + VeilUnderTest.MASTER_KEY;
    private static final String ECHO = "{\"model\":\"veil/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"ping pong\"}]}";
    private static final String ECHO_STREAM =
            "{\"model\":\"veil/echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"tell me\"}]}";

    private static VeilUnderTest veil;

    @BeforeAll
    static void start() {
        veil = VeilUnderTest.start("""
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

    private static RawHttpConnection connect() throws Exception {
        return new RawHttpConnection(veil.port());
    }

    private static String post(String path, String body, String... extraHeaders) {
        String head = "POST " + path + " HTTP/1.0\r\n" + AUTHORIZATION + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length;
        return extraHeaders.length == 0 ? head : head + "\r\n" + String.join("\r\n", extraHeaders);
    }

    @Test
    void answersLivenessWithoutAHostHeaderWithALengthAndCloses() throws Exception {
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response response = connection.send("GET /health/live HTTP/1.0").read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Content-Length")).hasValue("15");
            assertThat(response.header("Transfer-Encoding")).isEmpty();
            assertThat(response.header("Connection")).hasValue("close");
            assertThat(response.bodyText()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void answersReadinessWithAHostHeaderWithALengthAndCloses() throws Exception {
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response response = connection.send("GET /health/ready HTTP/1.0\r\nHost: veil.internal")
                    .read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Content-Length")).hasValue("15");
            assertThat(response.header("Connection")).hasValue("close");
            assertThat(response.bodyText()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void answersReadinessWithoutAHostHeaderTheWayHaproxyAsks() throws Exception {
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response response = connection.send("GET /health/ready HTTP/1.0").read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Connection")).hasValue("close");
            assertThat(response.bodyText()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void keepsTheConnectionOpenWhileTheClientAsksForKeepAlive() throws Exception {
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response first = connection
                    .send("GET /health/ready HTTP/1.0\r\nConnection: keep-alive").read();
            RawHttpConnection.Response second = connection
                    .send("GET /health/live HTTP/1.0\r\nHost: veil.internal\r\nConnection: Keep-Alive").read();
            RawHttpConnection.Response last = connection.send("GET /health/live HTTP/1.0").read();

            assertThat(List.of(first.status(), second.status(), last.status())).containsOnly(200);
            assertThat(first.header("Connection")).hasValue("keep-alive");
            assertThat(second.header("Connection")).hasValue("keep-alive");
            assertThat(last.header("Connection")).hasValue("close");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void answersAJsonRequestWithALength() throws Exception {
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response response = connection.send(post("/v1/chat/completions", ECHO), ECHO).read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Content-Length")).isPresent();
            assertThat(response.header("Transfer-Encoding")).isEmpty();
            assertThat(response.header("Connection")).hasValue("close");
            assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText()).isEqualTo("ping pong");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void readsEachRequestBodyToItsLengthOnAKeptAliveConnection() throws Exception {
        String other = ECHO.replace("ping pong", "second body");
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response first = connection
                    .send(post("/v1/chat/completions", ECHO, "Connection: keep-alive"), ECHO).read();
            RawHttpConnection.Response second = connection.send(post("/v1/chat/completions", other), other).read();

            assertThat(JSON.readTree(first.body()).at("/choices/0/message/content").asText()).isEqualTo("ping pong");
            assertThat(first.header("Connection")).hasValue("keep-alive");
            assertThat(JSON.readTree(second.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("second body");
            assertThat(second.header("Connection")).hasValue("close");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void answersAnErrorInTheApiShapeWithALength() throws Exception {
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response response = connection.send("GET /v1/models HTTP/1.0").read();

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("Content-Length")).isPresent();
            assertThat(response.header("Connection")).hasValue("close");
            assertThat(JSON.readTree(response.body()).at("/error/type").asText()).isNotEmpty();
        }
    }

    @Test
    void sendsAStreamUnchunkedAndEndsItByClosing() throws Exception {
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response response = connection
                    .send(post("/v1/chat/completions", ECHO_STREAM), ECHO_STREAM).read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("text/event-stream"));
            assertThat(response.header("Transfer-Encoding")).isEmpty();
            assertThat(response.header("Content-Length")).isEmpty();
            assertThat(response.header("Connection")).hasValue("close");
            assertIsAnEventStreamEndingWithDone(response.bodyText());
        }
    }

    @Test
    void endsAStreamByClosingEvenWhenTheClientAskedForKeepAlive() throws Exception {
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response response = connection
                    .send(post("/v1/chat/completions", ECHO_STREAM, "Connection: keep-alive"), ECHO_STREAM).read();

            assertThat(response.header("Transfer-Encoding")).isEmpty();
            assertThat(response.header("Connection")).hasValue("close");
            assertIsAnEventStreamEndingWithDone(response.bodyText());
        }
    }

    @Test
    void ignoresAnExpectContinueFromAnHttp10Client() throws Exception {
        try (RawHttpConnection connection = connect()) {
            RawHttpConnection.Response response = connection
                    .send(post("/v1/chat/completions", ECHO, "Expect: 100-continue"), ECHO).read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText()).isEqualTo("ping pong");
        }
    }

    @Test
    void stillStreamsChunkedToAnHttp11Client() throws Exception {
        try (RawHttpConnection connection = connect()) {
            String head = post("/v1/chat/completions", ECHO_STREAM, "Host: veil.internal")
                    .replace(" HTTP/1.0", " HTTP/1.1");
            RawHttpConnection.Response response = connection.send(head, ECHO_STREAM).read();

            assertThat(response.header("Transfer-Encoding")).hasValue("chunked");
            assertThat(response.bodyText()).endsWith("0\r\n\r\n");
        }
    }

    /** Every line is an SSE field or a blank separator: a chunk-size line would show the stream was chunked. */
    private static void assertIsAnEventStreamEndingWithDone(String body) throws Exception {
        List<String> lines = Arrays.asList(body.split("\n", -1));
        assertThat(lines).allSatisfy(line -> assertThat(line).matches("(data: .*)?"));
        assertThat(body).endsWith("data: [DONE]\n\n");
        StringBuilder content = new StringBuilder();
        for (String line : lines) {
            if (line.startsWith("data: {")) {
                content.append(JSON.readTree(line.substring("data: ".length())).at("/choices/0/delta/content").asText());
            }
        }
        assertThat(content.toString()).isEqualTo("tell me");
    }
}
