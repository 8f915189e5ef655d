package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ErrorContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.withUpstream(upstream);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").isTextual()).isTrue();
        assertThat(error.path("type").isTextual()).isTrue();
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        return error;
    }

    @Test
    void rejectsARequestWithoutAKey() throws Exception {
        HttpResponse<String> response = veil.send(HttpRequest.newBuilder(
                java.net.URI.create(veil.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(error(response).path("type").asText()).isEqualTo("authentication_error");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void rejectsAWrongKeyWithoutEchoingIt() throws Exception {
        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .setHeader("Authorization", "Bearer sk-wrong-key-value")
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(error(response).path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(response.body()).doesNotContain("sk-wrong-key-value");
    }

    @Test
    void namesTheMissingParameter() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions", "{\"model\":\"smart\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response).path("param").asText()).isEqualTo("messages");
    }

    @Test
    void namesTheMistypedParameterWithoutEchoingItsValue() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":{\"secret\":\"jane@example.com\"}}]}");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = error(response);
        assertThat(error.path("param").asText()).isEqualTo("messages[0].content");
        assertThat(response.body()).doesNotContain("jane@example.com");
    }

    @Test
    void passesAnUpstreamClientErrorThroughInOpenAiShape() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.error(400, "invalid_request_error",
                "This model's maximum context length is 128000 tokens.", "context_length_exceeded"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = error(response);
        assertThat(error.path("message").asText()).isEqualTo("This model's maximum context length is 128000 tokens.");
        assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void hidesAnUpstreamAuthenticationFailureBehind502() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.error(401, "invalid_request_error",
                "Incorrect API key provided: sk-upstr**********1234.", "invalid_api_key"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(error(response).path("code").asText()).isEqualTo("upstream_authentication_failed");
        assertThat(response.body()).doesNotContain("sk-upstr");
    }

    @Test
    void answersAnUpstreamRateLimitWith429AndRetryAfter() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.error(429, "requests", "Rate limit reached", "rate_limit_exceeded"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).hasValue("7");
        assertThat(error(response).path("type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void answersAnUpstreamServerErrorWith502() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.error(500, "server_error", "The server had an error", null));

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(error(response).path("message").asText()).contains("openai").contains("500");
    }

    @Test
    void answersAnUnreadableUpstreamAnswerWith502() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.garbage());

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(502);
        error(response);
    }

    @Test
    void answersARefusedConnectionWith502() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (VeilUnderTest refused = VeilUnderTest.start("""
                server: {port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers:
                    down: {kind: openai, base-url: "http://127.0.0.1:%d/v1", api-key: k}
                """.formatted(closedPort))) {
            HttpResponse<String> response = refused.post("/v1/chat/completions",
                    "{\"model\":\"down/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(error(response).path("message").asText()).contains("could not be reached");
        }
    }

    @Test
    void answersAHangingUpstreamWith504() throws Exception {
        try (VeilUnderTest impatient = VeilUnderTest.start(VeilUnderTest.config(upstream, "").replace(
                "read-timeout: 5s", "read-timeout: 300ms"))) {
            upstream.on("gpt-4o", FakeOpenAiUpstream.hang());

            HttpResponse<String> response = impatient.post("/v1/chat/completions", HELLO);

            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(error(response).path("type").asText()).isEqualTo("timeout_error");
        }
    }

    @Test
    void failsOverFromAHangingTargetToTheNext() throws Exception {
        try (VeilUnderTest failover = VeilUnderTest.start(VeilUnderTest.config(upstream,
                "    resilient: {targets: [\"openai/stuck\", \"deepseek/deepseek-chat\"]}\n").replace(
                "read-timeout: 5s", "read-timeout: 300ms"))) {
            upstream.on("stuck", FakeOpenAiUpstream.hang());

            HttpResponse<String> response = failover.post("/v1/chat/completions",
                    HELLO.replace("smart", "resilient"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-veil-provider")).hasValue("deepseek");
        }
    }

    @Test
    void doesNotFailOverWhenTheUpstreamRejectsTheRequestItself() throws Exception {
        try (VeilUnderTest failover = VeilUnderTest.start(VeilUnderTest.config(upstream,
                "    resilient: {targets: [\"openai/strict\", \"deepseek/deepseek-chat\"]}\n"))) {
            upstream.on("strict", FakeOpenAiUpstream.error(400, "invalid_request_error", "bad", null));

            HttpResponse<String> response = failover.post("/v1/chat/completions",
                    HELLO.replace("smart", "resilient"));

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(upstream.received()).hasSize(1);
        }
    }

    @Test
    void rejectsABodyOverTheLimitWith413() throws Exception {
        try (VeilUnderTest small = VeilUnderTest.start(VeilUnderTest.config(upstream, "").replace(
                "  upstream:", "  limits: {max-request-bytes: 1KiB}\n  upstream:"))) {
            String big = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(2048)
                    + "\"}]}";

            HttpResponse<String> declared = small.post("/v1/chat/completions", big);
            HttpResponse<String> chunked = small.send(small.request("/v1/chat/completions")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() ->
                            new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build());

            assertThat(declared.statusCode()).isEqualTo(413);
            assertThat(chunked.statusCode()).isEqualTo(413);
            assertThat(error(declared).path("message").asText()).contains("veil.limits.max-request-bytes");
            assertThat(upstream.received()).isEmpty();
        }
    }

    @Test
    void answersAnUnknownEndpointWith404InOpenAiShape() throws Exception {
        HttpResponse<String> response = veil.get("/v1/completions/legacy");

        assertThat(response.statusCode()).isEqualTo(404);
        error(response);
    }

    @Test
    void answersAWrongMethodWith405() throws Exception {
        HttpResponse<String> response = veil.get("/v1/chat/completions");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("POST");
        error(response);
    }

    @Test
    void survivesAClientThatSendsHalfABodyAndHangsUp() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", veil.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + VeilUnderTest.MASTER_KEY + "\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
                    + "{\"model\":\"smart\",").getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.shutdownOutput();
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).doesNotContain(" 500 ").doesNotContain("Exception");
        }

        assertThat(veil.post("/v1/chat/completions", HELLO).statusCode()).isEqualTo(200);
    }
}
