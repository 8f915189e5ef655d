package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.PostgresProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same admin scenario (tenants, teams, keys created, used, rotated and revoked, budgets, spend, usage, a restart)
 * through the real server on the embedded SQLite store and on a real PostgreSQL: every answer must be the same, key
 * ids and secrets aside, which are random.
 */
class AccountingStoreContractTest {
    private static final Pattern KEY_ID = Pattern.compile("\\b[0-9a-f]{16}\\b");
    private static final Pattern SECRET = Pattern.compile("vk-[0-9a-f]{16}-[A-Za-z0-9_-]+");
    private static PostgresProcess postgres;

    @TempDir
    Path sqliteDir;
    @TempDir
    Path postgresDir;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresProcess.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theAdminApiAndUsageAnswerTheSameOnSqliteAndPostgres() throws Exception {
        List<String> onSqlite = scenario(sqliteDir, "");
        List<String> onPostgres = scenario(postgresDir, postgres.storeYaml(postgres.createDatabase()));

        assertThat(Files.exists(postgresDir.resolve(KeyStore.FILE))).as("keys.db beside a postgres store").isFalse();
        assertThat(onSqlite).anySatisfy(line -> assertThat(line).startsWith("GET /admin/usage 200")
                .contains("\"total_requests\":4"));
        assertThat(onPostgres).containsExactlyElementsOf(onSqlite);
    }

    /** Runs the scenario on a fresh store; returns each call and its answer, ids and secrets replaced by names. */
    private static List<String> scenario(Path dataDir, String storeYaml) throws Exception {
        Transcript transcript = new Transcript();
        try (KeysFixture veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, storeYaml)) {
            transcript.post(veil, "/admin/tenants", "{\"name\": \"acme\"}");
            transcript.post(veil, "/admin/tenants", "{\"name\": \"Zeta\"}");
            transcript.post(veil, "/admin/teams", "{\"tenant\": \"acme\", \"name\": \"support\"}");
            transcript.post(veil, "/admin/teams", "{\"tenant\": \"acme\", \"name\": \"Billing\"}");
            JsonNode bot = veil.createKey("""
                    {"tenant": "acme", "team": "support", "name": "bot", "labels": {"env": "prod"},
                     "models": ["smart"], "limits": {"rpm": 100}}""");
            // Keys list by creation time, then by their random id: a second apart, their order is the same each run.
            veil.clock.advance(Duration.ofSeconds(1));
            JsonNode other = veil.createKey("{\"tenant\": \"Zeta\", \"name\": \"other\"}");
            transcript.id(bot.path("id").asText());
            transcript.id(other.path("id").asText());
            String botKey = bot.path("key").asText();
            String otherKey = other.path("key").asText();
            transcript.post(veil, "/admin/budgets", """
                    {"scope": "team", "tenant": "acme", "team": "support", "limit_usd": 1, "soft_usd": 0.5,
                     "period": "month"}""");
            transcript.post(veil, "/admin/budgets", """
                    {"scope": "key", "key_id": "%s", "limit_usd": 2, "period": "day"}"""
                    .formatted(bot.path("id").asText()));
            transcript.post(veil, "/admin/budgets", """
                    {"scope": "user", "tenant": "acme", "user": "ana", "limit_usd": 3, "period": "month"}""");
            transcript.chat(veil, botKey, "Hello");
            transcript.chat(veil, botKey, "Hello again, longer");
            transcript.chat(veil, otherKey, "Hi");

            JsonNode rotated = veil.json(veil.veil.post("/admin/keys/" + bot.path("id").asText() + "/rotate", ""));
            String rotatedKey = rotated.path("key").asText();
            transcript.chat(veil, botKey, "old secret");
            transcript.chat(veil, rotatedKey, "new secret");
            transcript.post(veil, "/admin/keys/" + other.path("id").asText() + "/revoke", "");
            transcript.chat(veil, otherKey, "revoked");
            transcript.reads(veil, bot.path("id").asText());

            veil.restart();
            transcript.add("-- restarted");
            transcript.chat(veil, rotatedKey, "after restart");
            transcript.chat(veil, otherKey, "still revoked");
            transcript.reads(veil, bot.path("id").asText());
        }
        return transcript.lines;
    }

    /** Calls and answers, in order, with key ids and secrets named by their first appearance. */
    private static final class Transcript {
        final List<String> lines = new ArrayList<>();
        final Map<String, String> ids = new LinkedHashMap<>();

        void id(String id) {
            ids.putIfAbsent(id, "KEY" + (ids.size() + 1));
        }

        void add(String line) {
            String named = SECRET.matcher(line).replaceAll("vk-SECRET");
            Matcher m = KEY_ID.matcher(named);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, ids.getOrDefault(m.group(), m.group()));
            }
            m.appendTail(out);
            lines.add(out.toString());
        }

        void post(KeysFixture veil, String path, String json) {
            record("POST " + path, veil.veil.post(path, json));
        }

        void chat(KeysFixture veil, String key, String content) {
            HttpResponse<String> answer = veil.chat(key, "smart", content);
            lines.add("chat " + content + " " + answer.statusCode() + " "
                    + answer.headers().firstValue("x-veil-cost").orElse("-"));
        }

        void reads(KeysFixture veil, String keyId) {
            for (String path : List.of("/admin/tenants", "/admin/teams", "/admin/keys", "/admin/keys/" + keyId,
                    "/admin/budgets", "/admin/usage", "/admin/usage?format=csv", "/admin/usage?tenant=acme",
                    "/admin/usage?key=" + keyId, "/admin/usage?user=ana")) {
                record("GET " + path, veil.veil.get(path));
            }
        }

        private void record(String call, HttpResponse<String> answer) {
            add(call + " " + answer.statusCode() + " " + answer.body());
        }
    }
}
