package dev.veil.server.api.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy's {@code conversation_state}, decided by a real OPA on the default policies. */
class ResponsesPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static OpaProcess opa;

    @TempDir
    Path dataDir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeAll
    static void startOpa() throws Exception {
        opa = OpaProcess.start();
    }

    @AfterAll
    static void stopOpa() {
        opa.close();
    }

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = dataDir.resolve("audit-key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(key));
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  data-dir: "%s"
                  audit: {key-file: "%s"}
                  opa: {url: "%s"}
                  providers:
                    local: {kind: openai-compatible, base-url: "%s", zero-retention: true}
                """.formatted(VeilUnderTest.MASTER_KEY, dataDir, keyFile, opa.url(), upstream.baseUrl()));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
        opa.defaultSettings();
    }

    private HttpResponse<String> create(String body) {
        return veil.send(veil.request("/v1/responses").setHeader("x-veil-zero-retention", "true")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void underZeroRetentionTheDefaultPolicyKeepsTheConversationInMemory() throws Exception {
        HttpResponse<String> response = create("{\"model\": \"local/m\", \"input\": \"hi\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = JSON.readTree(response.body()).path("id").asText();
        assertThat(veil.get("/v1/responses/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void aPolicyThatKeepsNoStateRefusesARequestAskingToBeKept() throws Exception {
        opa.setting("compliance.zero_retention_conversation_state", "\"none\"");

        HttpResponse<String> response = create("{\"model\": \"local/m\", \"input\": \"hi\"}");

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("policy_denied");
        assertThat(error.path("message").asText()).contains("store: false");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aPolicyThatKeepsNoStateServesARequestThatAsksForNone() throws Exception {
        opa.setting("compliance.zero_retention_conversation_state", "\"none\"");

        HttpResponse<String> response = create("{\"model\": \"local/m\", \"input\": \"hi\", \"store\": false}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = JSON.readTree(response.body()).path("id").asText();
        assertThat(veil.get("/v1/responses/" + id).statusCode()).isEqualTo(404);
    }
}
