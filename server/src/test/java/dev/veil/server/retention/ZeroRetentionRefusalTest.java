package dev.veil.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * A tenant configured as zero-retention when only retaining providers could serve it: the request is refused with a
 * clear reason, never sent anywhere — however the client asked — and the refusal leaves no trace of the prompt.
 */
class ZeroRetentionRefusalTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String marker = "zr-refused-" + UUID.randomUUID();
    private final String prompt = "Diagnose " + marker + " for ann.lee@example.org";

    @TempDir
    Path dataDir;
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private CapturedLogs logs;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  plugins:
                    - name: pii-redaction
                    - {name: zero-retention, tenants: [default]}
                    - name: routing
                    - name: response-cache
                """.formatted(dataDir)));
        logs = CapturedLogs.open();
    }

    @AfterEach
    void stop() throws Exception {
        logs.close();
        veil.close();
        upstream.close();
    }

    @Test
    void refusesEverySurfaceWithZeroRetentionUnavailableAndSendsNothing() throws Exception {
        List<HttpResponse<String>> responses = Surfaces.send(veil, Surfaces.all(veil, prompt, Map.of()));

        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(403);
        assertThat(responses.subList(0, 2)).allSatisfy(response -> assertThat(JSON.readTree(response.body())
                .path("error").path("code").asText()).isEqualTo("zero_retention_unavailable"));
        assertThat(responses.subList(2, 4)).allSatisfy(response -> {
            JsonNode error = JSON.readTree(response.body());
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("error").path("type").asText()).isEqualTo("permission_error");
            assertThat(error.path("error").path("message").asText()).contains("Zero retention");
        });
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void refusesEmbeddingsOfAZeroRetentionTenantToo() throws Exception {
        HttpResponse<String> response = veil.post("/v1/embeddings",
                "{\"model\":\"openai/text-embedding-3-small\",\"input\":\"" + prompt + "\"}");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText())
                .isEqualTo("zero_retention_unavailable");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void refusesAClientThatTriesToSwitchZeroRetentionOff() throws Exception {
        HttpResponse<String> response = veil.send(Surfaces.openAi(veil, prompt, false,
                Map.of("x-veil-zero-retention", "false")));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText())
                .isEqualTo("zero_retention_unavailable");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void leavesNoTraceOfARefusedPrompt() throws Exception {
        Surfaces.send(veil, Surfaces.all(veil, prompt, Map.of()));
        veil.close();

        assertThat(ZeroRetentionNoTraceTest.files(dataDir)).allSatisfy(file -> assertThat(new String(
                Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).doesNotContain(marker));
        assertThat(logs.records()).as("log records were captured").isNotEmpty();
        assertThat(logs.text()).doesNotContain(marker);
    }
}
