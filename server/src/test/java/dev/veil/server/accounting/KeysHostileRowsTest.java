package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeOpenAiUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows no admin request can write any more (out-of-range numbers, bad timestamps, NULLs, wrong types, huge
 * values), put into {@code keys.db} with plain JDBC while Veil is stopped, as a damaged disk, a bad restore or a hand
 * edit would: the next start quarantines them, says so in the log without secrets, and serves.
 */
class KeysHostileRowsTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dataDir;
    private KeysFixture veil;
    private String goodKey;
    private String goodId;

    @BeforeEach
    void startWithOneGoodKey() throws Exception {
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, "");
        JsonNode created = veil.createKey("""
                {"tenant": "acme", "budget": {"limit_usd": 1, "period": "day"}}""");
        goodKey = created.path("key").asText();
        goodId = created.path("id").asText();
        assertThat(veil.chat(goodKey, "smart", "Hello").statusCode()).isEqualTo(200);
        veil.veil.close();
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
    }

    @Test
    void hostileKeyRowsAreQuarantinedAndTheirSecretsRefused() throws Exception {
        List<String> hostileKeys = new ArrayList<>();
        try (Connection db = keysDb()) {
            loosen(db, "keys");
            hostileKeys.add(insertKey(db, Map.of("expires_at", "+1000000000-12-31T23:59:59Z")));
            hostileKeys.add(insertKey(db, Map.of("expires_at", "next tuesday")));
            hostileKeys.add(insertKey(db, Map.of("expires_at", 1_700_000_000L)));
            hostileKeys.add(insertKey(db, Map.of("revoked_at", "soon")));
            hostileKeys.add(insertKey(db, Map.of("created_at", "+999999999-12-31T23:59:59Z")));
            hostileKeys.add(insertKey(db, nulls("created_at")));
            hostileKeys.add(insertKey(db, Map.of("rpm", "abc")));
            hostileKeys.add(insertKey(db, Map.of("rpm", 9.9e300)));
            hostileKeys.add(insertKey(db, Map.of("rpm", -1L)));
            hostileKeys.add(insertKey(db, Map.of("tpm", Long.MAX_VALUE)));
            hostileKeys.add(insertKey(db, Map.of("labels", "not json")));
            hostileKeys.add(insertKey(db, Map.of("labels", "[1, 2]")));
            hostileKeys.add(insertKey(db, nulls("labels")));
            hostileKeys.add(insertKey(db, Map.of("models", "{\"a\": 1}")));
            hostileKeys.add(insertKey(db, Map.of("scope", "root")));
            hostileKeys.add(insertKey(db, Map.of("salt", new byte[0])));
            hostileKeys.add(insertKey(db, nulls("hash")));
            hostileKeys.add(insertKey(db, Map.of("tenant", 123L)));
            hostileKeys.add(insertKey(db, nulls("tenant")));
            hostileKeys.add(insertKey(db, Map.of("name", "x".repeat(100_000))));
            hostileKeys.add(insertKey(db, Map.of("id", "not-hex")));
        }

        CapturedLogs logs = CapturedLogs.open();
        try {
            veil.start();
        } finally {
            logs.close();
        }

        assertThat(veil.chat(goodKey, "smart", "Hello").statusCode()).isEqualTo(200);
        for (String key : hostileKeys) {
            assertThat(veil.chat(key, "smart", "Hello").statusCode()).as(key.substring(0, 19)).isEqualTo(401);
        }
        JsonNode listed = veil.json(veil.veil.get("/admin/keys")).path("data");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("id").asText()).isEqualTo(goodId);
        assertThat(quarantined("keys")).isEqualTo(hostileKeys.size());
        String log = logs.text();
        assertThat(log).contains("quarantined").contains("expires_at");
        for (String key : hostileKeys) {
            assertThat(log).doesNotContain(KeysFixture.secretOf(key));
        }
    }

    @Test
    void aKeyIdStoredTwiceIsRefusedWithEitherSecret() throws Exception {
        String twin;
        try (Connection db = keysDb()) {
            loosen(db, "keys");
            twin = insertKey(db, Map.of("id", goodId));
        }

        veil.start();

        assertThat(veil.chat(twin, "smart", "Hello").statusCode()).isEqualTo(401);
        assertThat(veil.chat(goodKey, "smart", "Hello").statusCode()).isEqualTo(401);
        assertThat(quarantined("keys")).isEqualTo(2);
    }

    @Test
    void aKeyStoredBeforeLabelsAndModelsWereBoundedKeepsWorking() throws Exception {
        String labels = "{" + String.join(", ", java.util.stream.IntStream.range(0, 70)
                .mapToObj(i -> "\"l" + i + "\": \"" + "v".repeat(2000) + "\"").toList()) + "}";
        String models = "[\"*\", " + String.join(", ", java.util.stream.IntStream.range(0, 300)
                .mapToObj(i -> "\"m" + i + "\"").toList()) + "]";
        String legacy;
        try (Connection db = keysDb()) {
            legacy = insertKey(db, Map.of("name", "tab\tseparated", "labels", labels, "models", models));
        }

        veil.start();

        assertThat(veil.chat(legacy, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(quarantined("keys")).isZero();
    }

    @Test
    void aQuarantinedKeyStaysOutOfTheNextStartsToo() throws Exception {
        String hostile;
        try (Connection db = keysDb()) {
            hostile = insertKey(db, Map.of("expires_at", "+1000000000-12-31T23:59:59Z"));
        }
        veil.start();

        veil.restart();

        assertThat(veil.chat(hostile, "smart", "Hello").statusCode()).isEqualTo(401);
        assertThat(veil.chat(goodKey, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(quarantined("keys")).isEqualTo(1);
    }

    @Test
    void hostileBudgetRowsAreQuarantinedAndTheirScopesRefusedUntilSetAgain() throws Exception {
        JsonNode other;
        veil.start();
        other = veil.createKey("{\"tenant\": \"globex\"}");
        veil.veil.close();
        try (Connection db = keysDb()) {
            loosen(db, "budgets");
            execute(db, "UPDATE budgets SET limit_micros = 'lots' WHERE scope = 'key:" + goodId + "'");
            insertBudget(db, "tenant:initech", "tenant", "initech", "", "", "day", 9.9e300, 0L);
            insertBudget(db, "tenant:hooli", "tenant", "hooli", "", "", "week", 1_000_000L, 0L);
            insertBudget(db, "tenant:umbrella", "tenant", "umbrella", "", "", "day", Long.MAX_VALUE, -5L);
            insertBudget(db, "team:acme/x", "galaxy", "acme", "x", "", "day", 1_000_000L, 0L);
            insertBudget(db, "tenant:soylent", "key", "soylent", "", "", "day", 1_000_000L, 0L);
            insertBudget(db, null, "tenant", "acme", "", "", "day", 1_000_000L, 0L);
        }

        veil.start();

        HttpResponse<String> refused = veil.chat(goodKey, "smart", "Hello");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(veil.json(refused).at("/error/code").asText()).isEqualTo("budget_unavailable");
        assertThat(veil.chat(other.path("key").asText(), "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.veil.get("/admin/budgets").statusCode()).isEqualTo(200);
        assertThat(quarantined("budgets")).isEqualTo(7);

        veil.veil.post("/admin/budgets", "{\"scope\": \"key\", \"key_id\": \"" + goodId
                + "\", \"limit_usd\": 1, \"period\": \"day\"}");
        assertThat(veil.chat(goodKey, "smart", "Hello").statusCode()).isEqualTo(200);
        veil.restart();
        assertThat(veil.chat(goodKey, "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @Test
    void hostileSpendRowsAreQuarantinedAndUsageServes() throws Exception {
        String today = LocalDate.ofInstant(veil.clock.instant(), ZoneOffset.UTC).toString();
        try (Connection db = keysDb()) {
            insertSpend(db, today, goodId, "acme", "default", "openai/a", 1L, 1L, 1L, 0L, 0L, Long.MAX_VALUE);
            insertSpend(db, today, goodId, "acme", "default", "openai/b", 1L, 1L, 1L, 0L, 0L, Long.MAX_VALUE - 1);
            insertSpend(db, "yesterday", goodId, "acme", "default", "openai/c", 1L, 1L, 1L, 0L, 0L, 5L);
            insertSpend(db, today.substring(0, 8) + "32", goodId, "acme", "default", "openai/d", 1L, 1L, 1L, 0L, 0L,
                    5L);
            insertSpend(db, today, goodId, "acme", "default", "openai/e", -1L, 1L, 1L, 0L, 0L, 5L);
            insertSpend(db, today, goodId, "acme", "default", "openai/f", 1L, "many", 1L, 0L, 0L, 5L);
            insertSpend(db, today, goodId, "acme", "default", "openai/g", 1L, 1L, 1L, 0L, 0L, 1.5);
        }

        veil.start();

        assertThat(veil.chat(goodKey, "smart", "Hello").statusCode()).isEqualTo(200);
        HttpResponse<String> usage = veil.veil.get("/admin/usage?key=" + goodId);
        assertThat(usage.statusCode()).isEqualTo(200);
        assertThat(veil.json(usage).path("data")).allSatisfy(row ->
                assertThat(row.path("model").asText()).isEqualTo("openai/gpt-4o"));
        assertThat(veil.veil.get("/admin/usage?format=csv").statusCode()).isEqualTo(200);
        assertThat(quarantined("spend")).isEqualTo(7);
    }

    @Test
    void hostileTenantAndTeamRowsAreQuarantinedAndListsServe() throws Exception {
        try (Connection db = keysDb()) {
            loosen(db, "tenants");
            loosen(db, "teams");
            execute(db, "INSERT INTO tenants (name, created_at) VALUES (NULL, 'x'), (123, 5), "
                    + "('ok' || char(7) || 'no', 'x')");
            execute(db, "INSERT INTO teams (tenant, name, created_at) VALUES (NULL, 'a', 'x'), ('acme', x'00', 'x')");
        }

        veil.start();

        HttpResponse<String> tenants = veil.veil.get("/admin/tenants");
        assertThat(tenants.statusCode()).isEqualTo(200);
        assertThat(veil.json(tenants).path("data")).extracting(t -> t.path("name").asText()).containsExactly("acme");
        assertThat(veil.veil.get("/admin/teams").statusCode()).isEqualTo(200);
        assertThat(quarantined("tenants")).isEqualTo(3);
        assertThat(quarantined("teams")).isEqualTo(2);
    }

    // JDBC helpers ------------------------------------------------------------------------------------------------

    private Connection keysDb() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("keys.db"));
    }

    /** Rebuilds {@code table} with the same columns and no types or constraints, as a hostile writer could. */
    private static void loosen(Connection db, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (r.next()) {
                columns.add(r.getString("name"));
            }
        }
        execute(db, "CREATE TABLE loose (" + String.join(", ", columns) + ")");
        execute(db, "INSERT INTO loose SELECT * FROM " + table);
        execute(db, "DROP TABLE " + table);
        execute(db, "ALTER TABLE loose RENAME TO " + table);
    }

    private static Map<String, Object> nulls(String column) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(column, null);
        return values;
    }

    /** Inserts a key that would be valid but for {@code overrides}; returns its full text. */
    private static String insertKey(Connection db, Map<String, Object> overrides) throws SQLException {
        byte[] idBytes = new byte[8];
        RANDOM.nextBytes(idBytes);
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(secretBytes);
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", HexFormat.of().formatHex(idBytes));
        row.put("name", "hostile");
        row.put("tenant", "acme");
        row.put("team", "default");
        row.put("labels", "{}");
        row.put("models", "[]");
        row.put("scope", "chat");
        row.put("expires_at", null);
        row.put("rpm", 0L);
        row.put("tpm", 0L);
        row.put("salt", salt);
        row.put("hash", Keys.hash(salt, secret));
        row.put("created_at", FakeClock.START.toString());
        row.put("rotated_at", null);
        row.put("revoked_at", null);
        row.putAll(overrides);
        insert(db, "keys", row);
        return "vk-" + row.get("id") + "-" + secret;
    }

    private static void insertBudget(Connection db, String scope, String kind, String tenant, String team,
                                     String keyId, String period, Object limit, Object soft) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("scope", scope);
        row.put("kind", kind);
        row.put("tenant", tenant);
        row.put("team", team);
        row.put("key_id", keyId);
        row.put("user_id", "");
        row.put("period", period);
        row.put("limit_micros", limit);
        row.put("soft_micros", soft);
        insert(db, "budgets", row);
    }

    private static void insertSpend(Connection db, Object day, Object keyId, Object tenant, Object team, Object model,
                                    Object requests, Object prompt, Object completion, Object cached,
                                    Object reasoning, Object cost) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("day", day);
        row.put("key_id", keyId);
        row.put("tenant", tenant);
        row.put("team", team);
        row.put("user_id", "");
        row.put("model", model);
        row.put("requests", requests);
        row.put("prompt_tokens", prompt);
        row.put("completion_tokens", completion);
        row.put("cached_tokens", cached);
        row.put("reasoning_tokens", reasoning);
        row.put("cost_micros", cost);
        insert(db, "spend", row);
    }

    private static void insert(Connection db, String table, Map<String, Object> row) throws SQLException {
        String sql = "INSERT INTO " + table + " (" + String.join(", ", row.keySet()) + ") VALUES ("
                + String.join(", ", row.keySet().stream().map(c -> "?").toList()) + ")";
        try (PreparedStatement s = db.prepareStatement(sql)) {
            int i = 1;
            for (Object value : row.values()) {
                s.setObject(i++, value);
            }
            s.executeUpdate();
        }
    }

    private static void execute(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute(sql);
        }
    }

    private long quarantined(String table) throws SQLException {
        try (Connection db = keysDb();
             PreparedStatement s = db.prepareStatement("SELECT COUNT(*) FROM quarantine WHERE source = ?")) {
            s.setString(1, table);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        } catch (SQLException e) {
            return -1;
        }
    }
}
