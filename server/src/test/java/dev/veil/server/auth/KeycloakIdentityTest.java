package dev.veil.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.ErrorShape;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.KeycloakProcess;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens a real Keycloak issues (realm {@code veil}, see {@link KeycloakProcess}), through the real server with a real
 * OPA: the user and team reach usage, audit and policy input, and the realm roles decide what the admin API allows.
 */
class KeycloakIdentityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @TempDir
    static Path dir;

    private static KeycloakProcess keycloak;
    private static OpaProcess opa;
    private static FakeOpenAiUpstream upstream;
    private static VeilUnderTest veil;
    private static AuditConfig audit;

    @BeforeAll
    static void start() throws Exception {
        keycloak = KeycloakProcess.start();
        opa = OpaProcess.start();
        upstream = new FakeOpenAiUpstream();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(dir.resolve("audit-key"), Base64.getEncoder().encodeToString(key) + "\n");
        // One Veil for every test, some of which change the policy between requests: no decision is reused.
        String yaml = """
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  opa: {url: "%s", cache: {max-entries: 0}}
                  data-dir: "%s"
                  audit: {key-file: "%s", file: "%s"}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream-secret-1234"}
                  models:
                    smart: {targets: ["openai/gpt-4o"]}
                  auth:
                    jwt:
                      - issuer: "%s"
                        audience: veil
                        jwks-url: "%s"
                        claims: {user: preferred_username, tenant: tenant, team: groups, roles: realm_access.roles}
                """.formatted(VeilUnderTest.MASTER_KEY, opa.url(), dir, keyFile, dir.resolve("audit.db"),
                upstream.baseUrl(), keycloak.issuer(), keycloak.jwksUrl());
        veil = VeilUnderTest.start(yaml);
        audit = ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get).audit().orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (opa != null) {
            opa.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    @AfterEach
    void defaultPolicy() throws Exception {
        opa.defaultSettings();
    }

    private static HttpResponse<String> chat(String token) {
        return veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build());
    }

    private static HttpResponse<String> admin(String token, String method, String path, String body) {
        return veil.send(veil.request(path).setHeader("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void anasPasswordGrantTokenIsServed() {
        assertThat(chat(keycloak.passwordToken("ana", "ana-password")).statusCode()).isEqualTo(200);
    }

    @Test
    void aServiceAccountsClientCredentialsTokenIsServed() {
        assertThat(chat(keycloak.clientCredentialsToken()).statusCode()).isEqualTo(200);
    }

    @Test
    void theAuditRecordOfAnasRequestNamesHerAndTeamRisk() {
        HttpResponse<String> response = chat(keycloak.passwordToken("ana", "ana-password"));

        String requestId = response.headers().firstValue("x-veil-request-id").orElseThrow();
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            Map<String, Object> record = new AuditExporter(database).all().values().stream()
                    .filter(row -> requestId.equals(row.get("request_id"))).findFirst().orElseThrow();
            assertThat(record.get("principal")).isEqualTo(Map.of("key_id", "jwt", "tenant", "bank", "team", "risk",
                    "user", "ana"));
        }
    }

    @Test
    void usageShowsAnasRequestUnderHerUserIdAndTeamRisk() throws Exception {
        assertThat(chat(keycloak.passwordToken("ana", "ana-password")).statusCode()).isEqualTo(200);

        HttpResponse<String> response = admin(keycloak.passwordToken("audra", "audra-password"), "GET",
                "/admin/usage?user=ana", null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode rows = JSON.readTree(response.body()).path("data");
        assertThat(rows).isNotEmpty().allSatisfy(row -> {
            assertThat(row.path("user").asText()).isEqualTo("ana");
            assertThat(row.path("team").asText()).isEqualTo("risk");
            assertThat(row.path("tenant").asText()).isEqualTo("bank");
            assertThat(row.path("key_id").asText()).isEqualTo("jwt");
        });
    }

    @Test
    void thePolicyInputCarriesAnasUserAndTeam() throws Exception {
        opa.setting("authz.rules", "[{\"tenant\": \"bank\", \"team\": \"risk\", \"users\": [\"ana\"], "
                + "\"models\": [\"smart\"]}]");

        assertThat(chat(keycloak.passwordToken("ana", "ana-password")).statusCode()).isEqualTo(200);
        HttpResponse<String> other = chat(keycloak.clientCredentialsToken());
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(ErrorShape.openAi(other.body()).path("message").asText()).contains("team \"payments\"");
    }

    @Test
    void anAuditorReadsUsage() {
        HttpResponse<String> response = admin(keycloak.passwordToken("audra", "audra-password"), "GET",
                "/admin/usage", null);

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void anAuditorMayNotCreateAKeyAndIsToldTheRoleItNeeds() {
        HttpResponse<String> response = admin(keycloak.passwordToken("audra", "audra-password"), "POST",
                "/admin/keys", "{\"tenant\": \"bank\", \"team\": \"risk\"}");

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode error = ErrorShape.openAi(response.body());
        assertThat(error.path("code").asText()).isEqualTo("role_required");
        assertThat(error.path("message").asText()).contains("key-admin").contains("auditor");
    }

    @Test
    void aKeyAdminCreatesAKeyThatThenServes() throws Exception {
        HttpResponse<String> created = admin(keycloak.passwordToken("kai", "kai-password"), "POST", "/admin/keys",
                "{\"tenant\": \"bank\", \"team\": \"payments\"}");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(chat(JSON.readTree(created.body()).path("key").asText()).statusCode()).isEqualTo(200);
    }

    @Test
    void theKeyAdminsNewKeyIsAnAuditRecordNamingHerAndNeverTheSecret() throws Exception {
        HttpResponse<String> created = admin(keycloak.passwordToken("kai", "kai-password"), "POST", "/admin/keys",
                "{\"tenant\": \"bank\", \"team\": \"risk\"}");
        JsonNode key = JSON.readTree(created.body());

        String requestId = created.headers().firstValue("x-veil-request-id").orElseThrow();
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            Map<String, Object> record = new AuditExporter(database).all().values().stream()
                    .filter(row -> requestId.equals(row.get("request_id"))).findFirst().orElseThrow();
            assertThat(record).containsEntry("type", "admin").containsEntry("action", "key.create")
                    .containsEntry("outcome", "applied").containsEntry("status", 201);
            assertThat(record.get("actor")).isEqualTo(Map.of("via", "api", "key_id", "jwt", "user", "kai",
                    "tenant", "bank", "role", "key-admin"));
            assertThat(((Map<?, ?>) record.get("target")).get("key_id")).isEqualTo(key.path("id").asText());
            assertThat(JSON.writeValueAsString(record)).doesNotContain(key.path("key").asText())
                    .doesNotContain(key.path("key").asText().substring("vk-".length() + 17));
        }
    }

    @Test
    void aUserWithoutARoleMayNotReadUsage() {
        HttpResponse<String> response = admin(keycloak.passwordToken("ana", "ana-password"), "GET", "/admin/usage",
                null);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(ErrorShape.openAi(response.body()).path("code").asText()).isEqualTo("role_required");
    }
}
