package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests through the real server leave one record each, committed before the client has its answer. */
class AuditRequestPathTest {
    @TempDir
    Path dir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private AuditConfig config;

    @BeforeEach
    void start() throws Exception {
        Path key = AuditFixtures.newKeyFile(dir, "audit-key");
        config = AuditFixtures.config(dir.resolve("audit.db"), key, false, 1000);
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "  audit: {key-file: \"" + key + "\", file: \""
                + config.database() + "\"}\n  data-dir: \"" + dir + "\"\n"
                + "  prices: [{model: openai/gpt-4o, input: 2, output: 8}]\n"));
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    @Test
    void aJsonAnswerHasACommittedRecordWhenTheClientHasIt() {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello upstream\"}]}");

        Map<String, Object> record = recordOf(response);
        assertThat(record).containsEntry("status", 200).containsEntry("provider", "openai")
                .containsEntry("served_model", "gpt-4o").containsEntry("requested_model", "smart")
                .containsEntry("surface", "openai.chat");
        assertThat((String) record.get("prompt")).contains("Hello upstream");
        assertThat((String) record.get("response")).contains("Hello upstream");
    }

    @Test
    void recordsWhatTheAnswerCostAtTheConfiguredPrice() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the price\"}]}");

        var usage = new ObjectMapper().readTree(response.body()).path("usage");
        long expectedMicros = usage.path("prompt_tokens").asLong() * 2 + usage.path("completion_tokens").asLong() * 8;
        assertThat(((Number) recordOf(response).get("cost_micro_usd")).longValue()).isEqualTo(expectedMicros);
    }

    @Test
    void aStreamedAnswerHasACommittedRecordWhenTheStreamHasEnded() {
        HttpResponse<String> response = veil.post("/v1/chat/completions", "{\"model\":\"smart\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello stream\"}]}");

        assertThat(response.body()).contains("[DONE]");
        Map<String, Object> record = recordOf(response);
        assertThat(record).containsEntry("status", 200).containsEntry("response", "Hello stream");
        assertThat(record).containsKey("usage");
    }

    @Test
    void aFailedRequestIsRecordedWithItsStatus() {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(recordOf(response)).containsEntry("status", 404).containsEntry("requested_model",
                "no-such-model");
    }

    @Test
    void zeroRetentionRequestsKeepNoContent() {
        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .header("x-veil-zero-retention", "true")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"deepseek/deepseek-chat\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"secret words\"}]}")).build());

        Map<String, Object> record = recordOf(response);
        assertThat(record).containsEntry("zero_retention", true).containsEntry("zero_retention_reason", "header")
                .doesNotContainKeys("prompt", "response");
    }

    @Test
    void unauthenticatedRequestsAreNotRecorded() {
        HttpResponse<String> response = veil.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(veil.baseUrl() + "/v1/chat/completions"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build());

        assertThat(response.statusCode()).isEqualTo(401);
        veil.close();
        veil = null;
        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            assertThat(new AuditExporter(database).all()).isEmpty();
        }
    }

    private Map<String, Object> recordOf(HttpResponse<String> response) {
        String requestId = response.headers().firstValue("x-veil-request-id").orElseThrow();
        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            return new AuditExporter(database).all().values().stream()
                    .filter(record -> requestId.equals(record.get("request_id"))).findFirst().orElseThrow();
        }
    }
}
