package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddingsAndModelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        upstream.on("text-embedding-3-small", exchange -> exchange.json(200, JSON.readTree("""
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5]},
                 {"object":"embedding","index":1,"embedding":"AACAPgAAAL8="}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}""")));
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "").replace(
                "api-key: \"sk-upstream-secret-1234\"}",
                "api-key: \"sk-upstream-secret-1234\", models: [gpt-4o, text-embedding-3-small]}")
                .replace("  models:\n", "  models:\n    embed: {targets: [\"openai/text-embedding-3-small\"]}\n"));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    @Test
    void relaysEmbeddingsVerbatim() throws Exception {
        HttpResponse<String> response = veil.post("/v1/embeddings",
                "{\"model\":\"embed\",\"input\":[\"alpha\",\"beta\"],\"encoding_format\":\"float\",\"dimensions\":2}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.at("/data/0/embedding")).isEqualTo(JSON.readTree("[0.25,-0.5]"));
        assertThat(body.at("/data/1/embedding").asText()).isEqualTo("AACAPgAAAL8=");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(4);
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("text-embedding-3-small");
        JsonNode sent = upstream.lastReceived().body();
        assertThat(sent.path("input")).isEqualTo(JSON.readTree("[\"alpha\",\"beta\"]"));
        assertThat(sent.path("dimensions").asInt()).isEqualTo(2);
    }

    @Test
    void keepsASingleStringInputASingleString() {
        veil.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"alone\"}");

        assertThat(upstream.lastReceived().body().path("input").isTextual()).isTrue();
    }

    @Test
    void listsAliasesThenEachProvidersConfiguredOrDiscoveredModelsByName() throws Exception {
        HttpResponse<String> response = veil.get("/v1/models");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("object").asText()).isEqualTo("list");
        assertThat(body.path("data").findValuesAsText("id")).containsExactly("embed", "smart", "deepseek/gpt-4o",
                "openai/gpt-4o", "openai/text-embedding-3-small");
        assertThat(upstream.lastReceived().path()).isEqualTo("/v1/models");
        assertThat(upstream.lastReceived().header("authorization")).isEqualTo("Bearer sk-ds-secret");
        assertThat(body.at("/data/0/owned_by").asText()).isEqualTo("veil");
        assertThat(body.at("/data/3/owned_by").asText()).isEqualTo("openai");
    }

    @Test
    void asksAProviderForItsModelsOnlyOnceInAWhile() {
        veil.get("/v1/models");
        veil.get("/v1/models");

        assertThat(upstream.received()).filteredOn(received -> received.path().endsWith("/models")).hasSize(1);
    }

    @Test
    void listsTheRestWhenAProviderCannotBeAsked() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (VeilUnderTest partial = VeilUnderTest.start("""
                server: {port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers:
                    down: {kind: openai, base-url: "http://127.0.0.1:%d/v1", api-key: k}
                    veil: {kind: echo}
                """.formatted(closedPort))) {
            HttpResponse<String> response = partial.get("/v1/models");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).path("data").findValuesAsText("id")).containsExactly("veil/echo");
        }
    }

    @Test
    void retrievesOneModelIncludingItsProviderPrefix() throws Exception {
        HttpResponse<String> found = veil.get("/v1/models/openai/gpt-4o");
        HttpResponse<String> missing = veil.get("/v1/models/nope");

        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(found.body()).path("id").asText()).isEqualTo("openai/gpt-4o");
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void requiresAKeyToListModels() {
        HttpResponse<String> response = veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/v1/models"))
                .GET().build());

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void answersLivenessAndReadinessWithoutAKey() {
        for (String path : new String[] {"/health/live", "/health/ready"}) {
            HttpResponse<String> response = veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + path))
                    .GET().build());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("UP");
        }
    }
}
