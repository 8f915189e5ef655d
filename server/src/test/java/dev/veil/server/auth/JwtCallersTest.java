package dev.veil.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.ErrorShape;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalIssuer;
import dev.veil.server.testing.LocalProcesses;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON Web Tokens of an issuer the test runs itself, through the real server: each failed check is a 401 in the
 * surface's error shape naming the check, a valid token's claims become the caller, and keys keep working beside
 * tokens. Keycloak's own tokens are {@link KeycloakIdentityTest}'s.
 */
class JwtCallersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UNREACHABLE_ISSUER = "https://idp.down.example/realms/x";
    private static final String CHAT = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @TempDir
    static Path dir;

    private static LocalIssuer issuer;
    private static FakeOpenAiUpstream upstream;
    private static VeilUnderTest veil;
    private static AuditConfig audit;

    @BeforeAll
    static void start() throws Exception {
        issuer = LocalIssuer.start();
        upstream = new FakeOpenAiUpstream();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(dir.resolve("audit-key"), Base64.getEncoder().encodeToString(key) + "\n");
        String yaml = VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  audit: {key-file: "%s", file: "%s"}
                  auth:
                    jwt:
                      - issuer: "%s"
                        audience: veil
                        jwks-url: "%s"
                        pseudonymous-user: true
                        claims: {tenant: org, team: groups, labels: [department], models: veil_models,
                                 roles: veil_roles}
                      - {issuer: "%s", audience: veil, jwks-url: "http://127.0.0.1:%d/jwks", jwks-timeout: 2s}
                """.formatted(dir, keyFile, dir.resolve("audit.db"), issuer.issuer(), issuer.jwksUrl(),
                UNREACHABLE_ISSUER, LocalProcesses.freePort()));
        veil = VeilUnderTest.start(yaml);
        audit = ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get).audit().orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        veil.close();
        upstream.close();
        issuer.close();
    }

    private static String token(String subject) {
        return issuer.token(subject, Map.of("org", "bank", "groups", List.of("/risk", "/all"),
                "department", "credit"));
    }

    private static HttpResponse<String> chat(String token) {
        return veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build());
    }

    private static JsonNode refusal(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(401);
        return ErrorShape.openAi(response.body());
    }

    @Test
    void aValidTokenIsServed() {
        assertThat(chat(token("ana@bank.example")).statusCode()).isEqualTo(200);
    }

    @Test
    void theAuditRecordNamesThePseudonymousUserTenantAndTeamNeverTheSubject() throws Exception {
        HttpResponse<String> response = chat(token("ana@bank.example"));

        String requestId = response.headers().firstValue("x-veil-request-id").orElseThrow();
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            Map<String, Object> record = new AuditExporter(database).all().values().stream()
                    .filter(row -> requestId.equals(row.get("request_id"))).findFirst().orElseThrow();
            assertThat(record.get("principal")).asString().doesNotContain("ana@bank.example");
            @SuppressWarnings("unchecked")
            Map<String, Object> principal = (Map<String, Object>) record.get("principal");
            assertThat(principal).containsEntry("key_id", "jwt").containsEntry("tenant", "bank")
                    .containsEntry("team", "risk");
            assertThat((String) principal.get("user")).matches("u-[0-9a-f]{32}");
        }
    }

    @Test
    void theSameSubjectGetsTheSamePseudonym() throws Exception {
        String first = pseudonymOf(chat(token("bo@bank.example")));
        String second = pseudonymOf(chat(token("bo@bank.example")));

        assertThat(first).isEqualTo(second).isNotEqualTo(pseudonymOf(chat(token("cy@bank.example"))));
    }

    private static String pseudonymOf(HttpResponse<String> response) {
        String requestId = response.headers().firstValue("x-veil-request-id").orElseThrow();
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            return new AuditExporter(database).all().values().stream()
                    .filter(row -> requestId.equals(row.get("request_id")))
                    .map(row -> (String) ((Map<?, ?>) row.get("principal")).get("user")).findFirst().orElseThrow();
        }
    }

    @Test
    void anExpiredTokenIsRefusedNamingTheExpiry() {
        Instant past = Instant.now().minus(Duration.ofHours(2));
        String expired = issuer.sign(issuer.claims("ana").issueTime(Date.from(past))
                .notBeforeTime(Date.from(past)).expirationTime(Date.from(past.plusSeconds(300))).build());

        assertThat(refusal(chat(expired)).path("code").asText()).isEqualTo("token_expired");
    }

    @Test
    void aTokenWithinTheClockSkewIsStillServed() {
        Instant now = Instant.now();
        String justExpired = issuer.sign(issuer.claims("ana").claim("org", "bank")
                .expirationTime(Date.from(now.minusSeconds(10))).build());

        assertThat(chat(justExpired).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        String other = issuer.sign(issuer.claims("ana").claim("org", "bank").audience("payroll").build());

        assertThat(refusal(chat(other)).path("code").asText()).isEqualTo("token_audience");
    }

    @Test
    void aTokenOfAnUntrustedIssuerIsRefused() {
        String foreign = issuer.sign(issuer.claims("ana").claim("org", "bank")
                .issuer("https://idp.elsewhere.example/realms/x").build());

        assertThat(refusal(chat(foreign)).path("code").asText()).isEqualTo("token_issuer");
    }

    @Test
    void aTokenSignedByAnotherKeyUnderTheIssuersKidIsRefused() throws Exception {
        String forged = issuer.signWithAnotherKey(issuer.claims("ana").claim("org", "bank").build());

        assertThat(refusal(chat(forged)).path("code").asText()).isEqualTo("token_signature");
    }

    @Test
    void aTokenWithAlteredClaimsFailsItsSignature() {
        String[] parts = token("ana").split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1])).replace("\"bank\"", "\"rival\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes())
                + "." + parts[2];

        assertThat(refusal(chat(tampered)).path("code").asText()).isEqualTo("token_signature");
    }

    @Test
    void anUnsignedTokenIsRefusedNamingTheAlgorithm() {
        String unsigned = LocalIssuer.unsigned(issuer.claims("ana").claim("org", "bank").build());

        JsonNode error = refusal(chat(unsigned));
        assertThat(error.path("code").asText()).isEqualTo("token_algorithm");
        assertThat(error.path("message").asText()).contains("alg none");
    }

    @Test
    void theErrorAndTheLogsNeverRepeatTheToken() {
        String expired = issuer.sign(issuer.claims("ana").claim("org", "bank")
                .expirationTime(Date.from(Instant.now().minus(Duration.ofHours(1)))).build());
        try (CapturedLogs logs = CapturedLogs.open()) {
            HttpResponse<String> response = chat(expired);

            assertThat(response.body()).doesNotContain(expired).doesNotContain(expired.split("\\.")[1]);
            assertThat(logs.text()).doesNotContain(expired.split("\\.")[1]).doesNotContain(expired.split("\\.")[2]);
        }
    }

    @Test
    void theAnthropicSurfaceRefusesInItsOwnShape() {
        String expired = issuer.sign(issuer.claims("ana").claim("org", "bank")
                .expirationTime(Date.from(Instant.now().minus(Duration.ofHours(1)))).build());

        HttpResponse<String> response = veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/v1/messages"))
                .header("x-api-key", expired).header("anthropic-version", "2023-06-01")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"smart\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode error = ErrorShape.anthropic(response.body());
        assertThat(error.path("type").asText()).isEqualTo("authentication_error");
        assertThat(error.path("message").asText()).contains("expired");
    }

    @Test
    void anIssuerWhoseKeysCannotBeFetchedIsA503WithRetryAfter() {
        HttpResponse<String> response = chat(issuer.sign(issuer.claims("ana").issuer(UNREACHABLE_ISSUER).build()));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(ErrorShape.openAi(response.body()).path("code").asText()).isEqualTo("token_keys_unavailable");
        assertThat(response.headers().firstValue("retry-after")).isPresent();
    }

    @Test
    void aTokenLackingTheTenantClaimIsRefusedNamingTheClaim() {
        JsonNode error = refusal(chat(issuer.sign(issuer.claims("ana").build())));

        assertThat(error.path("code").asText()).isEqualTo("token_claims");
        assertThat(error.path("message").asText()).contains("'org'");
    }

    @Test
    void aModelTheTokenDoesNotAllowIsRefusedLikeAKeys() throws Exception {
        String token = issuer.token("ana", Map.of("org", "bank", "veil_models", List.of("deepseek/*")));

        HttpResponse<String> response = chat(token);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(ErrorShape.openAi(response.body()).path("code").asText()).isEqualTo("model_not_allowed");
    }

    @Test
    void aModelTheTokenAllowsIsServed() {
        String token = issuer.token("ana", Map.of("org", "bank", "veil_models", "smart gpt-*"));

        assertThat(chat(token).statusCode()).isEqualTo(200);
    }

    @Test
    void theModelListShowsOnlyWhatTheTokenAllows() throws Exception {
        String token = issuer.token("ana", Map.of("org", "bank", "veil_models", List.of("smart")));

        HttpResponse<String> response = veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/v1/models"))
                .header("Authorization", "Bearer " + token).GET().build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("data").findValuesAsText("id")).containsExactly("smart");
    }

    @Test
    void aFloodOfUnknownKeyIdsFetchesTheKeySetAtMostOnceMore() {
        chat(token("ana"));
        int before = issuer.fetches();

        for (int i = 0; i < 20; i++) {
            String bogus = issuer.signWithUnknownKid(issuer.claims("ana").claim("org", "bank").build(), "kid-" + i);
            assertThat(refusal(chat(bogus)).path("code").asText()).isEqualTo("token_signature");
        }

        assertThat(issuer.fetches() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void theMasterKeyAndVirtualKeysKeepWorkingBesideTokens() throws Exception {
        HttpResponse<String> created = veil.post("/admin/keys", "{\"tenant\": \"bank\", \"team\": \"risk\"}");
        String key = JSON.readTree(created.body()).path("key").asText();

        assertThat(chat(VeilUnderTest.MASTER_KEY).statusCode()).isEqualTo(200);
        assertThat(chat(key).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenWithoutARoleMayNotUseTheAdminApi() throws Exception {
        HttpResponse<String> response = veil.send(veil.request("/admin/usage")
                .setHeader("Authorization", "Bearer " + token("ana")).GET().build());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(ErrorShape.openAi(response.body()).path("code").asText()).isEqualTo("role_required");
    }

    @Test
    void aTenantBoundAdminTokenMayNotReadAnotherTenantsUsage() throws Exception {
        String admin = issuer.token("root", Map.of("org", "bank", "veil_roles", List.of("admin")));

        HttpResponse<String> own = veil.send(veil.request("/admin/usage?tenant=bank")
                .setHeader("Authorization", "Bearer " + admin).GET().build());
        HttpResponse<String> other = veil.send(veil.request("/admin/usage?tenant=rival")
                .setHeader("Authorization", "Bearer " + admin).GET().build());

        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(ErrorShape.openAi(other.body()).path("code").asText()).isEqualTo("tenant_not_allowed");
    }

    @Test
    void everyUseOfTheMasterKeyOnTheAdminApiIsLoggedWithItsRoute() {
        try (CapturedLogs logs = CapturedLogs.open()) {
            veil.get("/admin/tenants");

            assertThat(logs.records()).anyMatch(line -> line.contains("master key")
                    && line.contains("GET /admin/tenants"));
            assertThat(logs.text()).doesNotContain(VeilUnderTest.MASTER_KEY);
        }
    }
}
