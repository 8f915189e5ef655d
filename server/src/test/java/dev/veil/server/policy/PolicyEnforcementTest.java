package dev.veil.server.policy;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.plugins.TestPlugins;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every request is checked by a real OPA running the project's default policies, and Veil obeys the decision. */
class PolicyEnforcementTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static final String REDACTION = "  plugins:\n    - name: pii-redaction\n";

    private static OpaProcess opa;
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeAll
    static void startOpa() throws Exception {
        opa = OpaProcess.start();
    }

    @AfterAll
    static void stopOpa() {
        opa.close();
    }

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
        opa.defaultSettings();
    }

    private String config(String opaUrl, String opaExtra) {
        return """
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  opa: {url: "%s"%s}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: k, region: us}
                    deepseek: {kind: openai-compatible, preset: deepseek, base-url: "%s", api-key: k, region: eu,
                               zero-retention: true}
                  models:
                    smart: {targets: ["openai/gpt-4o", "deepseek/deepseek-chat"]}
                """.formatted(VeilUnderTest.MASTER_KEY, opaUrl, opaExtra, upstream.baseUrl(), upstream.baseUrl());
    }

    private VeilUnderTest start(String opaUrl, String opaExtra) {
        veil = VeilUnderTest.start(config(opaUrl, opaExtra));
        return veil;
    }

    @Test
    void allowsAnOrdinaryRequestAndNamesTheDecision() {
        start(opa.url(), "");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-decision-id")).hasValueSatisfying(id ->
                assertThat(id).isNotBlank());
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("openai");
    }

    @Test
    void deniesWithThePolicysReasonsInOpenAiShape() throws Exception {
        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");
        start(opa.url(), "");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("policy_denied");
        assertThat(error.path("message").asText()).contains("may not use model \"smart\"");
        assertThat(response.headers().firstValue("x-veil-decision-id")).isPresent();
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void dispatchesToTheTargetsInThePolicysOrder() throws Exception {
        opa.setting("routing.tenant_regions", "{\"default\": \"eu\"}");
        start(opa.url(), "");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("deepseek");
    }

    @Test
    void keepsPaymentDataAwayFromProvidersTheComplianceRuleExcludes() throws Exception {
        start(opa.url(), "");
        opa.setting("compliance.data_classes", "{\"cards\": {\"providers\": [\"deepseek\"]}}");

        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .header("x-veil-metadata", "{\"data_class\": \"cards\"}")
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("deepseek");
    }

    @Test
    void keepsAnIbanFoundByTheRedactionPluginAwayFromProvidersOutsideTheEu() {
        veil = VeilUnderTest.start(config(opa.url(), "") + REDACTION);

        HttpResponse<String> response = veil.post("/v1/chat/completions", """
                {"model":"smart","messages":[{"role":"user","content":"Pay to DE89 3704 0044 0532 0130 00"}]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("deepseek");
        assertThat(upstream.lastReceived().body().path("messages").get(0).path("content").asText())
                .isEqualTo("Pay to <IBAN_1>");
    }

    @Test
    void appliesTheRedactionModesThePolicyDecides() throws Exception {
        opa.setting("compliance.redact", "{\"EMAIL\": \"mask\"}");
        veil = VeilUnderTest.start(config(opa.url(), "") + REDACTION);

        veil.post("/v1/chat/completions", """
                {"model":"smart","messages":[{"role":"user","content":"Mail ann@example.org"}]}""");

        assertThat(upstream.lastReceived().body().path("messages").get(0).path("content").asText())
                .isEqualTo("Mail ***@*******.***");
    }

    @Test
    void blocksWhatTheDataClassOfTheRequestMayNotCarry() throws Exception {
        opa.setting("compliance.data_classes",
                "{\"hr\": {\"providers\": [], \"redact\": {\"EMAIL\": \"block\"}}}");
        veil = VeilUnderTest.start(config(opa.url(), "") + REDACTION);

        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .header("x-veil-metadata", "{\"data_class\": \"hr\"}")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"smart","messages":[{"role":"user","content":"Mail ann@example.org"}]}"""))
                .build());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("pii_blocked");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aVirtualKeysLabelsReachThePolicy() throws Exception {
        start(opa.url(), "");
        String regulated = JSON.readTree(veil.post("/admin/keys", """
                {"tenant": "acme", "labels": {"regulated": "true"}}""").body()).path("key").asText();
        String ordinary = JSON.readTree(veil.post("/admin/keys", """
                {"tenant": "acme"}""").body()).path("key").asText();

        HttpResponse<String> labelled = veil.send(veil.request("/v1/chat/completions")
                .setHeader("Authorization", "Bearer " + regulated)
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build());
        HttpResponse<String> unlabelled = veil.send(veil.request("/v1/chat/completions")
                .setHeader("Authorization", "Bearer " + ordinary)
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build());

        // The default policy makes keys labelled regulated=true zero-retention: only deepseek retains nothing.
        assertThat(labelled.headers().firstValue("x-veil-provider")).hasValue("deepseek");
        assertThat(unlabelled.headers().firstValue("x-veil-provider")).hasValue("openai");
    }

    @Test
    void sendsAZeroRetentionRequestOnlyToProvidersThatRetainNothing() {
        start(opa.url(), "");

        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .header("x-veil-zero-retention", "true")
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build());

        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("deepseek");
    }

    @Test
    void recordsThePolicyAsTheReasonWhenOnlyTheDecisionRequiresZeroRetention() throws Exception {
        TestPlugins.RETENTION.clear();
        opa.setting("compliance.regulated_tenants", "[\"default\"]");
        veil = VeilUnderTest.start(config(opa.url(), "") + "  plugins:\n    - name: retention-recorder\n");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("deepseek");
        assertThat(TestPlugins.RETENTION.poll(5, TimeUnit.SECONDS)).isEqualTo("policy");
    }

    @Test
    void capsOutputTokensForTheTeam() throws Exception {
        opa.setting("limits.teams", "{\"default\": {\"max_tokens\": 64}}");
        start(opa.url(), "");

        veil.post("/v1/chat/completions", HELLO.replace("\"model\"", "\"max_completion_tokens\":1000,\"model\""));

        assertThat(upstream.lastReceived().body().path("max_completion_tokens").asInt()).isEqualTo(64);
    }

    @Test
    void checksStreamsBeforeTheyStart() throws Exception {
        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");
        start(opa.url(), "");

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                HELLO.replace("\"model\"", "\"stream\":true,\"model\""))) {
            assertThat(stream.response().statusCode()).isEqualTo(403);
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void checksRequestsBeforeAPluginMayAnswerThemFromACache() throws Exception {
        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");
        veil = VeilUnderTest.start(config(opa.url(), "") + "  plugins:\n    - {name: interceptor, model: smart}\n");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).doesNotContain("from the interceptor");
    }

    @Test
    void checksEmbeddingsToo() throws Exception {
        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"smart\"]}]");
        start(opa.url(), "");

        HttpResponse<String> response = veil.post("/v1/embeddings",
                "{\"model\":\"openai/text-embedding-3-small\",\"input\":\"x\"}");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void checksTheAnthropicSurfaceAndDeniesInItsErrorShape() throws Exception {
        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");
        start(opa.url(), "");

        HttpResponse<String> response = veil.send(veil.request("/v1/messages")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"smart\",\"max_tokens\":16,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.at("/error/type").asText()).isEqualTo("permission_error");
        assertThat(body.at("/error/message").asText()).contains("denied by policy");
        assertThat(response.headers().firstValue("x-veil-decision-id")).isPresent();
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void publishesTheProviderCatalogueToOpa() throws Exception {
        start(opa.url(), "");

        // OPA drops pushed data when it reloads watched files (as after the previous test's settings edit); the
        // publisher pushes it again within its period.
        JsonNode catalog = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> JSON.readTree(opa.data("veil/catalog")).path("result"),
                        result -> !result.isMissingNode());

        assertThat(catalog.at("/providers/deepseek/region").asText()).isEqualTo("eu");
        assertThat(catalog.at("/providers/deepseek/zero_retention").asBoolean()).isTrue();
        assertThat(catalog.at("/models/smart/targets/1/provider").asText()).isEqualTo("deepseek");
    }

    @Test
    void appliesAPolicyEditedOnDiskWithoutARestart() throws Exception {
        start(opa.url(), ", cache: {max-entries: 0}");
        assertThat(veil.post("/v1/chat/completions", HELLO).statusCode()).isEqualTo(200);

        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");

        assertThat(veil.post("/v1/chat/completions", HELLO).statusCode()).isEqualTo(403);
    }

    @Test
    void dropsTheAllowsItReusesOnceTheSettingsChange() throws Exception {
        // Reused for an hour: only the change itself can end the reuse within the wait below.
        opa.setting("decision_cache", "{\"ttl_seconds\": 3600}");
        start(opa.url(), ", cache: {max-policy-ttl: 2h}");
        assertThat(veil.post("/v1/chat/completions", HELLO).statusCode()).isEqualTo(200);

        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");

        await("the changed settings applied").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> veil.post("/v1/chat/completions", HELLO).statusCode() == 403);
    }

    @Test
    void reusesAnAllowForARequestThatDiffersOnlyInFieldsThePolicyIgnores() {
        start(opa.url(), "");

        String first = decisionId(veil.post("/v1/chat/completions", HELLO));
        String longer = decisionId(veil.post("/v1/chat/completions", HELLO.replace("\"hi\"",
                "\"hi there, a much longer prompt\"")));

        assertThat(longer).isEqualTo(first);
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void asksAgainForARequestThatDiffersInAFieldThePolicyReads() {
        start(opa.url(), "");

        String first = decisionId(veil.post("/v1/chat/completions", HELLO));
        String otherModel = decisionId(veil.post("/v1/chat/completions", HELLO.replace("\"smart\"",
                "\"openai/gpt-4o\"")));

        assertThat(otherModel).isNotEqualTo(first);
    }

    @Test
    void neverReusesADenialOnThePolicysWord() throws Exception {
        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");
        start(opa.url(), "");

        String first = decisionId(veil.post("/v1/chat/completions", HELLO));
        String second = decisionId(veil.post("/v1/chat/completions", HELLO));

        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void reusesNoDecisionWhenTheCacheHoldsNone() {
        start(opa.url(), ", cache: {max-entries: 0}");

        String first = decisionId(veil.post("/v1/chat/completions", HELLO));
        String second = decisionId(veil.post("/v1/chat/completions", HELLO));

        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void reusesAnyDecisionForExactlyTheSameInputWhenConfigured() throws Exception {
        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");
        start(opa.url(), ", cache: {max-entries: 100, ttl: 10m, max-policy-ttl: 0s}");

        String first = decisionId(veil.post("/v1/chat/completions", HELLO));
        String same = decisionId(veil.post("/v1/chat/completions", HELLO));
        String longer = decisionId(veil.post("/v1/chat/completions", HELLO.replace("\"hi\"",
                "\"hi there, a much longer prompt\"")));

        assertThat(same).isEqualTo(first);
        assertThat(longer).isNotEqualTo(first);
    }

    private static String decisionId(HttpResponse<String> response) {
        return response.headers().firstValue("x-veil-decision-id").orElseThrow(() -> new AssertionError(
                "no x-veil-decision-id on HTTP " + response.statusCode() + ": " + response.body()));
    }

    @Test
    void refusesRequestsWhenOpaIsDownAndFailModeIsClosed() throws Exception {
        start(deadUrl(), "");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("policy_unavailable");
        assertThat(veil.get("/health/ready").statusCode()).isEqualTo(503);
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void servesAndFlagsRequestsWhenOpaIsDownAndFailModeIsOpen() throws Exception {
        start(deadUrl(), ", fail-mode: open");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-policy")).hasValue("fail-open");
    }

    @Test
    void refusesRequestsWhenOpaIsTooSlow() throws Exception {
        Files.writeString(opa.policies().resolve("veil_slow_test_only.rego"), """
                package veil.slow

                import rego.v1

                allow if count([x | some x in numbers.range(1, 5000000); x % 3 == 0]) > 0
                """);
        Path slow = opa.policies().resolve("veil_slow_test_only.rego");
        try {
            awaitPolicy("veil_slow_test_only.rego");
            start(opa.url(), ", decision-path: veil/slow, timeout: 50ms");

            HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("policy_unavailable");
        } finally {
            Files.delete(slow);
        }
    }

    /** Waits for OPA to load a policy file; evaluating the slow policy to find out would take seconds each time. */
    private static void awaitPolicy(String file) {
        await("OPA loading " + file).atMost(Duration.ofSeconds(20)).until(() -> opa.loaded(file));
    }

    private static String deadUrl() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }
}
