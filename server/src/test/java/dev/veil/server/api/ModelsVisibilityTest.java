package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/models} lists only what the caller's key may use, by the rule admission applies. */
class ModelsVisibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "  data-dir: \"" + dataDir + "\"\n").replace(
                "api-key: \"sk-upstream-secret-1234\"}",
                "api-key: \"sk-upstream-secret-1234\", models: [gpt-4o, gpt-4o-mini]}"));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private String key(String models) throws Exception {
        HttpResponse<String> created = veil.post("/admin/keys", "{\"tenant\": \"t\", \"models\": " + models + "}");
        assertThat(created.statusCode()).isEqualTo(201);
        return JSON.readTree(created.body()).path("key").asText();
    }

    private HttpResponse<String> get(String key, String path) {
        return veil.send(veil.request(path).setHeader("Authorization", "Bearer " + key).GET().build());
    }

    @Test
    void aKeyLimitedToSomeModelsSeesOnlyThose() throws Exception {
        String key = key("[\"smart\", \"openai/gpt-4o-*\"]");

        HttpResponse<String> response = get(key, "/v1/models");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("data").findValuesAsText("id"))
                .containsExactly("smart", "openai/gpt-4o-mini");
    }

    @Test
    void aModelTheKeyMayNotUseIsNotFound() throws Exception {
        String key = key("[\"smart\"]");

        assertThat(get(key, "/v1/models/deepseek%2Fgpt-4o").statusCode()).isEqualTo(404);
        assertThat(get(key, "/v1/models/smart").statusCode()).isEqualTo(200);
    }

    @Test
    void theMasterKeySeesEveryModel() throws Exception {
        HttpResponse<String> response = veil.get("/v1/models");

        assertThat(JSON.readTree(response.body()).path("data").findValuesAsText("id"))
                .contains("smart", "openai/gpt-4o", "openai/gpt-4o-mini", "deepseek/gpt-4o");
    }
}
