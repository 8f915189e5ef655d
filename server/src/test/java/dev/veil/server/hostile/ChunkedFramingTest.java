package dev.veil.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.veil.server.testing.ErrorShape;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.RawHttpConnection;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A chunked body whose framing is broken is answered at once with a 400 in the route's error shape, and the
 * connection is closed: the rest of such a body cannot be told from the next request. The timeouts are long here, so
 * an answer that came only from them would not arrive before the test's read guard.
 */
class ChunkedFramingTest {
    private static final String KEY = "Authorization: Bearer " + VeilUnderTest.MASTER_KEY;

    private static FakeOpenAiUpstream upstream;
    private static VeilUnderTest veil;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "").replace("  upstream:",
                "  limits: {header-timeout: 10m, body-idle-timeout: 10m, body-timeout: 10m, idle-timeout: 10m}\n"
                        + "  upstream:"));
    }

    @AfterAll
    static void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    @ParameterizedTest(name = "{0} {1} with chunk size {3}")
    @CsvSource({
            "HTTP/1.1, /v1/chat/completions, true, zz",
            "HTTP/1.1, /v1/chat/completions, true, ffffffffffffffff",
            "HTTP/1.1, /v1/chat/completions, false, zz",
            "HTTP/1.1, /v1/embeddings, true, ffffffffffffffff",
            "HTTP/1.1, /v1/messages, true, zz",
            "HTTP/1.1, /v1/messages/count_tokens, true, ffffffffffffffff",
            "HTTP/1.1, /admin/keys, true, zz",
            "HTTP/1.0, /v1/chat/completions, true, zz",
            "HTTP/1.0, /v1/messages, true, ffffffffffffffff",
    })
    void aBadChunkSizeIsAnswered400InShapeAndTheConnectionClosed(String version, String path, boolean withKey,
                                                                 String size) throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(veil.port())) {
            connection.sendRaw("POST " + path + " " + version + "\r\nHost: veil\r\n" + (withKey ? KEY + "\r\n" : "")
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\n");

            RawHttpConnection.Response response = connection.read();

            assertThat(response.status()).isEqualTo(withKey ? 400 : 401);
            assertThat(ErrorShape.matches(path, response.bodyText())).as(response.bodyText()).isTrue();
            assertThat(connection.closedByServer()).isTrue();
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void chunksThatDeclareMoreThanARequestMayCarryAreAnswered413BeforeTheirDataArrives() throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(veil.port())) {
            connection.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n" + KEY + "\r\nContent-Type: "
                    + "application/json\r\nTransfer-Encoding: chunked\r\n\r\n7fffffff\r\n{\"model\":");

            RawHttpConnection.Response response = connection.read();

            assertThat(response.status()).isEqualTo(413);
            assertThat(ErrorShape.openAi(response.bodyText()).path("message").asText())
                    .contains("veil.limits.max-request-bytes");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void aConnectionWhoseChunkFramingBrokeIsNotKeptForANextRequest() throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(veil.port())) {
            String body = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            // The chunk's data is not followed by CRLF: what comes after cannot be told apart from a next request.
            connection.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n" + KEY + "\r\nContent-Type: "
                    + "application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length())
                    + "\r\n" + body + "XX0\r\n\r\n");

            connection.read();

            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void aWellFramedChunkedBodyIsStillServedOnAKeptAliveConnection() throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(veil.port())) {
            String body = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n" + KEY + "\r\nContent-Type: "
                    + "application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length())
                    + "\r\n" + body + "\r\n0\r\n\r\n";

            assertThat(connection.sendRaw(request).read().status()).isEqualTo(200);
            assertThat(connection.sendRaw(request).read().status()).isEqualTo(200);
        }
    }
}
