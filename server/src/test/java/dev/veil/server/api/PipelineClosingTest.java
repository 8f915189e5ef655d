package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.plugins.TestPlugins;
import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import dev.veil.spi.plugin.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline closes every request in one place, whatever failed: a failure no stage maps still answers in the API's
 * error shape, leaves its audit record and reaches the completion phase; embeddings reach the completion phase too.
 */
class PipelineClosingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private AuditConfig audit;

    @BeforeEach
    void start() throws Exception {
        TestPlugins.OUTCOMES.clear();
        upstream = new FakeOpenAiUpstream();
        upstream.on("text-embedding-3-small", exchange -> exchange.json(200, JSON.readTree("""
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}""")));
        Path key = dir.resolve("audit-key");
        Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]));
        String yaml = VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  audit: {key-file: "%s", file: "%s"}
                  plugins:
                    - {name: exploding, phase: request-error}
                    - name: completion-recorder
                """.formatted(dir, key, dir.resolve("audit.db")));
        audit = ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get).audit().orElseThrow();
        veil = VeilUnderTest.start(yaml);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    @Test
    void aFailureNoStageMapsIsA500InTheApiShape() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"secret prompt\"}]}");

        assertThat(response.statusCode()).isEqualTo(500);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("internal_error");
        assertThat(error.path("message").asText()).contains(response.headers().firstValue("x-veil-request-id")
                .orElseThrow()).doesNotContain("secret prompt");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aFailureNoStageMapsLeavesItsAuditRecord() {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");

        String requestId = response.headers().firstValue("x-veil-request-id").orElseThrow();
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            List<Map<String, Object>> records = new AuditExporter(database).all().values().stream()
                    .filter(record -> requestId.equals(record.get("request_id"))).toList();
            assertThat(records).hasSize(1);
            assertThat(records.get(0)).containsEntry("status", 500);
        }
    }

    @Test
    void aFailureNoStageMapsReachesTheCompletionPhase() throws Exception {
        veil.post("/v1/chat/completions", "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        Outcome outcome = TestPlugins.OUTCOMES.poll(5, TimeUnit.SECONDS);
        assertThat(outcome).isNotNull();
        assertThat(outcome.status()).isEqualTo(500);
    }

    @Test
    void aFailureNoStageMapsIsLoggedWithoutTheRequestsContent() {
        try (CapturedLogs logs = CapturedLogs.open()) {
            veil.post("/v1/chat/completions",
                    "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"my password is hunter2\"}]}");

            assertThat(logs.text()).contains("failed unexpectedly").contains("AssertionError")
                    .doesNotContain("hunter2");
        }
    }

    @Test
    void embeddingsReachTheCompletionPhase() throws Exception {
        HttpResponse<String> response = veil.post("/v1/embeddings",
                "{\"model\":\"openai/text-embedding-3-small\",\"input\":\"hello\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        Outcome outcome = TestPlugins.OUTCOMES.poll(5, TimeUnit.SECONDS);
        assertThat(outcome).isNotNull();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.provider()).hasValue("openai");
    }
}
