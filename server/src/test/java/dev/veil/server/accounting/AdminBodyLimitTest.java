package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API reads bodies under {@code veil.limits.max-request-bytes} like every other endpoint. */
class AdminBodyLimitTest {
    private static final String LARGE_BODY = "{\"tenant\": \"acme\", \"labels\": {\"note\": \"" + "x".repeat(1000)
            + "\"}}";

    @TempDir
    Path dataDir;
    private KeysFixture veil;

    @BeforeEach
    void start() throws Exception {
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, "  limits: {max-request-bytes: 512}\n");
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
    }

    @Test
    void aBodyOverTheLimitIsA413InTheErrorShapeAndCreatesNothing() throws Exception {
        HttpResponse<String> response = veil.veil.post("/admin/keys", LARGE_BODY);

        assertTooLarge(response);
        assertThat(veil.json(veil.veil.get("/admin/keys")).path("data")).isEmpty();
    }

    @Test
    void aChunkedBodyOverTheLimitIsA413() throws Exception {
        HttpResponse<String> response = veil.veil.send(veil.veil.request("/admin/budgets")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(
                        LARGE_BODY.getBytes(StandardCharsets.UTF_8)))).build());

        assertTooLarge(response);
    }

    @Test
    void aBodyUnderTheLimitIsRead() {
        assertThat(veil.veil.post("/admin/keys", "{\"tenant\": \"acme\"}").statusCode()).isEqualTo(201);
    }

    private void assertTooLarge(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(413);
        JsonNode error = veil.json(response).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("request_too_large");
    }
}
