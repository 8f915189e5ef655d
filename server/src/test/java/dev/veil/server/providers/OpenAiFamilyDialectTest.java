package dev.veil.server.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How each member of the OpenAI wire family is addressed, authenticated and spoken to. */
class OpenAiFamilyDialectTest {
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        String root = upstream.baseUrl().replace("/v1", "");
        veil = VeilUnderTest.start("""
                server: {port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers:
                    azure: {kind: azure-openai, base-url: "%s", api-key: azure-secret,
                            deployments: {gpt-4o: prod-gpt4o}}
                    azure-preview: {kind: azure-openai, base-url: "%s", api-key: azure-secret,
                                    api-version: 2025-04-01-preview}
                    mistral: {kind: openai-compatible, preset: mistral, base-url: "%s", api-key: m-secret}
                    ollama: {kind: openai-compatible, preset: ollama, base-url: "%s"}
                    custom: {kind: openai-compatible, base-url: "%s", headers: {X-Team: research}}
                """.formatted(root, root, upstream.baseUrl(), upstream.baseUrl(), upstream.baseUrl()));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private HttpResponse<String> chat(String model, String extra) {
        return veil.post("/v1/chat/completions", "{\"model\":\"" + model + "\"," + extra
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @Test
    void addressesAzureDeploymentsWithTheApiKeyHeader() {
        HttpResponse<String> response = chat("azure/gpt-4o", "");

        assertThat(response.statusCode()).isEqualTo(200);
        FakeOpenAiUpstream.Received sent = upstream.lastReceived();
        assertThat(sent.path()).isEqualTo("/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21");
        assertThat(sent.header("api-key")).isEqualTo("azure-secret");
        assertThat(sent.header("authorization")).isNull();
    }

    @Test
    void usesTheModelNameAsDeploymentAndTheConfiguredApiVersion() {
        chat("azure-preview/gpt-4.1", "");

        assertThat(upstream.lastReceived().path())
                .isEqualTo("/openai/deployments/gpt-4.1/chat/completions?api-version=2025-04-01-preview");
    }

    @Test
    void speaksMistralsDialect() {
        chat("mistral/mistral-large-latest", "\"seed\":42,\"user\":\"u-1\",\"max_completion_tokens\":10,");

        JsonNode sent = upstream.lastReceived().body();
        assertThat(sent.path("random_seed").asInt()).isEqualTo(42);
        assertThat(sent.has("seed")).isFalse();
        assertThat(sent.has("user")).isFalse();
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(10);
        assertThat(upstream.lastReceived().header("authorization")).isEqualTo("Bearer m-secret");
    }

    @Test
    void streamsFromMistralWithoutStreamOptionsItWouldReject() throws Exception {
        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                "{\"model\":\"mistral/mistral-small-latest\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}")) {
            assertThat(stream.rest()).last().isEqualTo("[DONE]");
        }

        assertThat(upstream.lastReceived().body().has("stream_options")).isFalse();
    }

    @Test
    void sendsNoCredentialsToAKeylessOllama() {
        HttpResponse<String> response = chat("ollama/llama3.2", "");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().header("authorization")).isNull();
    }

    @Test
    void sendsConfiguredExtraHeaders() {
        chat("custom/any-model", "");

        assertThat(upstream.lastReceived().header("x-team")).isEqualTo("research");
        assertThat(upstream.lastReceived().path()).isEqualTo("/v1/chat/completions");
    }
}
