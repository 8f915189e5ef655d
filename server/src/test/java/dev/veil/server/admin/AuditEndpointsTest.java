package dev.veil.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalIssuer;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An auditor reads and verifies the audit log over the admin API, and the reading is itself recorded. */
class AuditEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;
    private FakeOpenAiUpstream upstream;
    private LocalIssuer issuer;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        issuer = LocalIssuer.start();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(dir.resolve("audit-key"), Base64.getEncoder().encodeToString(key) + "\n");
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  audit: {key-file: "%s"}
                  auth:
                    jwt:
                      - {issuer: "%s", audience: veil, jwks-url: "%s", claims: {roles: veil_roles}}
                """.formatted(dir, keyFile, issuer.issuer(), issuer.jwksUrl())));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        issuer.close();
        upstream.close();
    }

    private HttpResponse<String> get(String path, String role) {
        return veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + path)).header("Authorization",
                "Bearer " + issuer.token("audra", Map.of("veil_roles", List.of(role)))).GET().build());
    }

    private static List<JsonNode> lines(HttpResponse<String> response) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : response.body().lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void anAuditorExportsTheRecordsAsJsonLines() throws Exception {
        String requestId = veil.post("/v1/chat/completions", CHAT).headers().firstValue("x-veil-request-id")
                .orElseThrow();

        HttpResponse<String> export = get("/admin/audit/records", "auditor");

        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("content-type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/x-ndjson"));
        assertThat(lines(export)).anySatisfy(line -> assertThat(line.path("record").path("request_id").asText())
                .isEqualTo(requestId));
    }

    @Test
    void anExportOverTheApiIsItselfRecordedNamingTheAuditor() throws Exception {
        get("/admin/audit/records", "auditor");

        List<JsonNode> later = lines(get("/admin/audit/records", "auditor"));

        assertThat(later).anySatisfy(line -> {
            JsonNode record = line.path("record");
            assertThat(record.path("action").asText()).isEqualTo("audit.export");
            assertThat(record.path("actor").path("user").asText()).isEqualTo("audra");
            assertThat(record.path("actor").path("role").asText()).isEqualTo("auditor");
        });
    }

    @Test
    void fromAndToSelectTheRecords() throws Exception {
        veil.post("/v1/chat/completions", CHAT);
        veil.post("/v1/chat/completions", CHAT);

        List<JsonNode> second = lines(get("/admin/audit/records?from=2&to=2", "auditor"));

        assertThat(second).extracting(line -> line.path("seq").asLong()).containsExactly(2L);
    }

    @Test
    void anAuditorVerifiesTheChain() throws Exception {
        veil.post("/v1/chat/completions", CHAT);

        HttpResponse<String> verified = get("/admin/audit/verify", "auditor");

        JsonNode result = JSON.readTree(verified.body());
        assertThat(verified.statusCode()).isEqualTo(200);
        assertThat(result.path("ok").asBoolean()).isTrue();
        assertThat(result.path("records").asLong()).isPositive();
    }

    @Test
    void aViewerMayNotReadTheAuditLog() throws Exception {
        HttpResponse<String> refused = get("/admin/audit/records", "viewer");

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("role_required");
    }

    @Test
    void aRecordNumberBelowOneIsA400NamingIt() throws Exception {
        HttpResponse<String> refused = get("/admin/audit/records?from=0", "auditor");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).at("/error/param").asText()).isEqualTo("from");
    }
}
