package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysRestartTest {
    @TempDir
    Path dataDir;
    private KeysFixture veil;

    @BeforeEach
    void start() throws Exception {
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, "");
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
    }

    @Test
    void keysSurviveARestart() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\"}").path("key").asText();

        veil.restart();

        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @Test
    void revocationSurvivesARestart() throws Exception {
        JsonNode created = veil.createKey("{\"tenant\": \"acme\"}");
        veil.veil.post("/admin/keys/" + created.path("id").asText() + "/revoke", "");

        veil.restart();

        assertThat(veil.chat(created.path("key").asText(), "smart", "Hello").statusCode()).isEqualTo(401);
    }

    @Test
    void spendAndBudgetsSurviveARestart() throws Exception {
        JsonNode created = veil.createKey("""
                {"tenant": "acme", "budget": {"limit_usd": 0.0001, "period": "day"}}""");
        String key = created.path("key").asText();
        long cost = KeysFixture.expectedMicros(veil.json(veil.chat(key, "smart", "Hello")));

        veil.restart();

        assertThat(veil.json(veil.veil.get("/admin/usage?key=" + created.path("id").asText()))
                .path("total_cost_usd").decimalValue()).isEqualByComparingTo(KeysFixture.usd(cost));
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(429);
    }
}
