package dev.veil.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.ErrorShape;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.RawHttpConnection;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that stops sending, mid-request or between requests, is cut off by the header, body and idle timeouts
 * (set short here; the tests observe what the client sees, never how long it took), and nothing it holds outlives
 * that: its connection and its request slot. Answers that take long (streams) are not cut: the timeouts bound
 * reading from the client only.
 */
class ClientTimeoutsTest {
    private static final String KEY = "Authorization: Bearer " + VeilUnderTest.MASTER_KEY;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private final List<RawHttpConnection> connections = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        for (RawHttpConnection connection : connections) {
            connection.close();
        }
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private void startVeil(String limits) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "").replace("  upstream:",
                "  limits: " + limits + "\n  upstream:"));
    }

    private void startWithShortTimeouts() {
        startVeil("{header-timeout: 1s, body-idle-timeout: 1s, body-timeout: 1m, idle-timeout: 1s, "
                + "max-concurrent-requests: 1}");
    }

    private RawHttpConnection connect() throws Exception {
        RawHttpConnection connection = new RawHttpConnection(veil.port());
        connections.add(connection);
        return connection;
    }

    @Test
    void aClientThatStopsMidHeadersGets408InShapeAndIsClosed() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection connection = connect().sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n"
                + "Content-Type: appl");

        RawHttpConnection.Response response = connection.read();

        assertThat(response.status()).isEqualTo(408);
        assertThat(response.header("Connection")).hasValue("close");
        assertThat(response.header("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("application/json"));
        assertThat(ErrorShape.openAi(response.bodyText()).path("code").asText()).isEqualTo("request_timeout");
        assertThat(connection.closedByServer()).isTrue();
    }

    @Test
    void aClientThatStopsMidRequestLineGets408AndIsClosed() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection connection = connect().sendRaw("GET /v1/mod");

        RawHttpConnection.Response response = connection.read();

        assertThat(response.status()).isEqualTo(408);
        ErrorShape.openAi(response.bodyText());
        assertThat(connection.closedByServer()).isTrue();
    }

    @Test
    void fortyClientsThatStopMidHeadersAreAllClosed() throws Exception {
        startWithShortTimeouts();
        for (int i = 0; i < 40; i++) {
            connect().sendRaw("GET /v1/models HTTP/1.1\r\nHost: veil\r\nX-Half: ");
        }

        for (RawHttpConnection connection : connections) {
            assertThat(connection.read().status()).isEqualTo(408);
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void aHeaderStallOnMessagesIsAnsweredInAnthropicShape() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection connection = connect().sendRaw("POST /v1/messages HTTP/1.1\r\nHost: veil\r\nX-Api-K");

        RawHttpConnection.Response response = connection.read();

        assertThat(response.status()).isEqualTo(408);
        ErrorShape.anthropic(response.bodyText());
    }

    @Test
    void aBodyThatStallsFailsWith408InShapeAndIsClosed() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection connection = connect().sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n"
                + KEY + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":");

        RawHttpConnection.Response response = connection.read();

        assertThat(response.status()).isEqualTo(408);
        assertThat(response.header("Connection")).hasValue("close");
        JsonNode error = ErrorShape.openAi(response.bodyText());
        assertThat(error.path("code").asText()).isEqualTo("request_timeout");
        assertThat(error.path("message").asText()).contains("veil.limits.body-idle-timeout");
        assertThat(connection.closedByServer()).isTrue();
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aBodyStallOnMessagesFailsInAnthropicShape() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection connection = connect().sendRaw("POST /v1/messages HTTP/1.1\r\nHost: veil\r\n"
                + KEY + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":");

        RawHttpConnection.Response response = connection.read();

        assertThat(response.status()).isEqualTo(408);
        ErrorShape.anthropic(response.bodyText());
        assertThat(connection.closedByServer()).isTrue();
    }

    @Test
    void aChunkedBodyThatStallsFailsWith408() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection connection = connect().sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n"
                + KEY + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"mod\r\n");

        RawHttpConnection.Response response = connection.read();

        assertThat(response.status()).isEqualTo(408);
        ErrorShape.openAi(response.bodyText());
        assertThat(connection.closedByServer()).isTrue();
    }

    @Test
    void aBodyStallOnAnHttp10ConnectionFailsWith408() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection connection = connect().sendRaw("POST /v1/chat/completions HTTP/1.0\r\n"
                + KEY + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":");

        RawHttpConnection.Response response = connection.read();

        assertThat(response.status()).isEqualTo(408);
        ErrorShape.openAi(response.bodyText());
        assertThat(connection.closedByServer()).isTrue();
    }

    @Test
    void aBodyStallFreesItsRequestSlot() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection stalled = connect().sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n"
                + KEY + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
        assertThat(stalled.read().status()).isEqualTo(408);
        // Closed once its request is done with, and so its slot released.
        assertThat(stalled.closedByServer()).isTrue();

        // The only slot (max-concurrent-requests: 1) is free again: a 503 would say the stall still held it.
        HttpResponse<String> next = veil.get("/v1/models");

        assertThat(next.statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyThatKeepsArrivingButNotInTimeFailsByTheBodyTimeout() throws Exception {
        startVeil("{header-timeout: 1m, body-idle-timeout: 1m, body-timeout: 1s, idle-timeout: 1m}");
        RawHttpConnection connection = connect().sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\n"
                + KEY + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":");

        RawHttpConnection.Response response = connection.read();

        assertThat(response.status()).isEqualTo(408);
        assertThat(ErrorShape.openAi(response.bodyText()).path("message").asText())
                .contains("veil.limits.body-timeout");
        assertThat(connection.closedByServer()).isTrue();
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedWithoutAnAnswer() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection connection = connect();
        RawHttpConnection.Response first = connection.send("GET /health/live HTTP/1.1\r\nHost: veil").read();
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("Connection")).hasValue("keep-alive");

        assertThat(connection.closedByServer()).isTrue();
    }

    @Test
    void aConnectionThatNeverSendsIsClosedWithoutAnAnswer() throws Exception {
        startWithShortTimeouts();
        RawHttpConnection connection = connect();

        assertThat(connection.closedByServer()).isTrue();
    }

    @Test
    void aStreamOutlastsEveryTimeout() throws Exception {
        startWithShortTimeouts();
        CountDownLatch gate = new CountDownLatch(1);
        upstream.on("gpt-4o", FakeOpenAiUpstream.gated("first ", gate, List.of("second")));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                "{\"model\":\"smart\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.next()).isNotNull();
            // A connection opened after the stream began is closed by the idle timeout: every timeout (all 1 s)
            // has now run out at least once while the stream was open.
            assertThat(connect().closedByServer()).isTrue();
            gate.countDown();

            List<String> rest = stream.rest();

            assertThat(rest).last().isEqualTo("[DONE]");
            assertThat(String.join("", rest)).contains("second");
        }
    }
}
