package dev.veil.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
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

/** The admin reads the console's pages are built on: who the caller is, the config, and the audit log's requests. */
class ConsoleReadsTest {
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
                "Bearer " + issuer.token("vera", Map.of("veil_roles", List.of(role)))).GET().build());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void whoamiNamesTheCallersRoles() throws Exception {
        JsonNode me = json(get("/admin/whoami", "viewer"));

        assertThat(me.path("roles")).extracting(JsonNode::asText).containsExactly("viewer");
        assertThat(me.path("source").asText()).isEqualTo("jwt");
    }

    @Test
    void theConfigViewShowsProvidersAndAliasesWithoutTheirKeys() throws Exception {
        HttpResponse<String> config = get("/admin/config", "viewer");

        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(json(config).path("revision").asText()).isNotBlank();
        assertThat(json(config).path("models").get(0).path("targets").get(0).path("provider").asText())
                .isEqualTo("openai");
        assertThat(config.body()).doesNotContain("sk-upstream-secret-1234", "sk-ds-secret", VeilUnderTest.MASTER_KEY);
    }

    @Test
    void anAuditorListsTheLatestRequestsNewestFirstWithoutTheirContent() throws Exception {
        String first = veil.post("/v1/chat/completions", CHAT).headers().firstValue("x-veil-request-id").orElseThrow();
        String second = veil.post("/v1/chat/completions", CHAT).headers().firstValue("x-veil-request-id")
                .orElseThrow();

        HttpResponse<String> list = get("/admin/requests", "auditor");

        assertThat(json(list).path("data")).extracting(row -> row.path("request_id").asText())
                .containsSubsequence(second, first);
        assertThat(json(list).path("data").get(0).path("outcome").asText()).isEqualTo("allowed");
        assertThat(list.body()).doesNotContain("\"prompt\"", "\"response\"");
    }

    @Test
    void aRequestMadeAfterAReadIsInTheNextRead() throws Exception {
        veil.post("/v1/chat/completions", CHAT);
        get("/admin/requests", "auditor");
        String later = veil.post("/v1/chat/completions", CHAT).headers().firstValue("x-veil-request-id")
                .orElseThrow();

        JsonNode list = json(get("/admin/requests", "auditor"));

        assertThat(list.path("data").get(0).path("request_id").asText()).isEqualTo(later);
        assertThat(list.path("data")).hasSize(2);
    }

    @Test
    void aRequestIdSelectsItsRequest() throws Exception {
        String id = veil.post("/v1/chat/completions", CHAT).headers().firstValue("x-veil-request-id").orElseThrow();
        veil.post("/v1/chat/completions", CHAT);

        JsonNode list = json(get("/admin/requests?request_id=" + id, "auditor"));

        assertThat(list.path("data")).hasSize(1);
        assertThat(list.path("data").get(0).path("seq").asLong()).isPositive();
    }

    @Test
    void aViewerMayNotReadTheRequestsButMayReadTheirSeries() throws Exception {
        veil.post("/v1/chat/completions", CHAT);

        HttpResponse<String> refused = get("/admin/requests", "viewer");
        HttpResponse<String> series = get("/admin/requests/series", "viewer");

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(series.statusCode()).isEqualTo(200);
        assertThat(json(series).path("totals").path("requests").asLong()).isEqualTo(1);
        assertThat(json(series).path("providers").get(0).path("provider").asText()).isEqualTo("openai");
    }

    @Test
    void theSeriesTotalsEveryRequestRefusedOrNotWithItsLatency() throws Exception {
        veil.post("/v1/chat/completions", CHAT.replace("smart", "openai/gpt-4o"));
        veil.post("/v1/chat/completions", CHAT.replace("smart", "nothing-serves-this"));

        JsonNode totals = json(get("/admin/requests/series?minutes=5", "viewer")).path("totals");

        assertThat(totals.path("requests").asLong()).isEqualTo(2);
        assertThat(totals.path("p99_ms").asDouble()).isPositive();
    }

    @Test
    void theSeriesSaysHowManyRecordsWaitForTheAuditLog() throws Exception {
        JsonNode series = json(get("/admin/requests/series", "viewer"));

        assertThat(series.path("audit_queued").isInt()).isTrue();
    }

    @Test
    void anOutcomeOtherThanAllowedDeniedOrErrorIsA400() throws Exception {
        HttpResponse<String> refused = get("/admin/requests?outcome=maybe", "auditor");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).at("/error/param").asText()).isEqualTo("outcome");
    }
}
