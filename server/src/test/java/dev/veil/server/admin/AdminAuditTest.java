package dev.veil.server.admin;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every change through the admin API, and every use of the master key, is a record in the audit chain. */
class AdminAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private VeilUnderTest veil;
    private AuditConfig audit;

    @BeforeEach
    void start() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(dir.resolve("audit-key"), Base64.getEncoder().encodeToString(key) + "\n");
        String yaml = """
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  data-dir: "%s"
                  providers: {veil: {kind: echo}}
                  audit: {key-file: "%s"}
                """.formatted(VeilUnderTest.MASTER_KEY, dir, keyFile);
        audit = ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get).audit().orElseThrow();
        veil = VeilUnderTest.start(yaml);
    }

    @AfterEach
    void stop() {
        veil.close();
    }

    @Test
    void aKeyCreatedWithTheMasterKeyIsRecordedWithItsAfterAndWithoutItsSecret() throws Exception {
        HttpResponse<String> created = veil.post("/admin/keys", "{\"tenant\": \"acme\", \"name\": \"ci\"}");
        JsonNode key = JSON.readTree(created.body());

        Map<String, Object> record = record(created);

        assertThat(record).containsEntry("action", "key.create").containsEntry("outcome", "applied");
        assertThat(record.get("actor")).isEqualTo(Map.of("via", "api", "key_id", "master", "role", "admin"));
        assertThat(record).doesNotContainKey("before");
        assertThat(map(record.get("after"))).containsEntry("id", key.path("id").asText())
                .containsEntry("name", "ci").doesNotContainKey("key");
        assertThat(JSON.writeValueAsString(record)).doesNotContain(key.path("key").asText());
    }

    @Test
    void aRotationIsRecordedWithTheKeyBeforeAndAfter() throws Exception {
        String id = JSON.readTree(veil.post("/admin/keys", "{\"tenant\": \"acme\"}").body()).path("id").asText();

        HttpResponse<String> rotated = veil.post("/admin/keys/" + id + "/rotate", "{}");

        Map<String, Object> record = record(rotated);
        assertThat(record).containsEntry("action", "key.rotate");
        assertThat(map(record.get("target")).get("id")).isEqualTo(id);
        assertThat(map(record.get("before"))).containsEntry("id", id).doesNotContainKey("rotated_at");
        assertThat(map(record.get("after")).get("rotated_at")).isNotNull();
        assertThat(JSON.writeValueAsString(record)).doesNotContain(JSON.readTree(rotated.body()).path("key")
                .asText());
    }

    @Test
    void aRevocationIsRecordedWithTheKeyActiveBeforeAndRevokedAfter() throws Exception {
        String id = JSON.readTree(veil.post("/admin/keys", "{\"tenant\": \"acme\"}").body()).path("id").asText();

        Map<String, Object> record = record(veil.post("/admin/keys/" + id + "/revoke", "{}"));

        assertThat(record).containsEntry("action", "key.revoke");
        assertThat(map(record.get("before"))).containsEntry("status", "active");
        assertThat(map(record.get("after"))).containsEntry("status", "revoked");
    }

    @Test
    void aBudgetChangeIsRecordedWithTheOldAndTheNewLimit() {
        veil.post("/admin/budgets", "{\"scope\": \"tenant\", \"tenant\": \"acme\", \"limit_usd\": 10}");

        Map<String, Object> record = record(veil.post("/admin/budgets",
                "{\"scope\": \"tenant\", \"tenant\": \"acme\", \"limit_usd\": 25}"));

        assertThat(record).containsEntry("action", "budget.set");
        assertThat(new BigDecimal(map(record.get("before")).get("limit_usd").toString())).isEqualByComparingTo("10");
        assertThat(new BigDecimal(map(record.get("after")).get("limit_usd").toString())).isEqualByComparingTo("25");
    }

    @Test
    void aChangeARuleRefusesIsRecordedAsRefused() {
        HttpResponse<String> refused = veil.post("/admin/keys/0123456789abcdef/rotate", "{}");

        Map<String, Object> record = record(refused);
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(record).containsEntry("status", 404).containsEntry("action", "key.rotate");
        assertThat((String) record.get("outcome")).startsWith("refused: ");
    }

    @Test
    void aReadWithTheMasterKeyIsRecordedAsBreakGlassAccess() {
        HttpResponse<String> read = veil.get("/admin/tenants");

        // A read's record follows its answer (a change's precedes it).
        String id = read.headers().firstValue("x-veil-request-id").orElseThrow();
        await("the read recorded").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> records().stream().anyMatch(row -> id.equals(row.get("request_id"))));
        Map<String, Object> record = record(read);
        assertThat(record).containsEntry("action", "admin.access").containsEntry("status", 200);
        assertThat(record.get("target")).isEqualTo(Map.of("route", "GET /admin/tenants"));
    }

    @Test
    void aFailedAuthenticationChangesNothingAndIsNotRecorded() {
        long before = records().size();

        HttpResponse<String> refused = veil.send(veil.request("/admin/keys").setHeader("Authorization",
                "Bearer not-the-master-key").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"tenant\": \"acme\"}")).build());

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(records()).hasSize((int) before);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private Map<String, Object> record(HttpResponse<String> response) {
        String id = response.headers().firstValue("x-veil-request-id").orElseThrow();
        return records().stream().filter(row -> id.equals(row.get("request_id"))).findFirst()
                .orElseThrow(() -> new AssertionError("no audit record " + id));
    }

    private List<Map<String, Object>> records() {
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            return List.copyOf(new AuditExporter(database).all().values());
        }
    }
}
