package dev.veil.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;

/**
 * The routing plugin proposes, the policy decides: a real OPA running the project's policies reorders or narrows
 * the targets of a route the plugin built, and dispatch follows the decision.
 */
class RoutingPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SETTINGS_FILE = "veil/settings/data.json";
    private static final String ASK = """
            {"model":"chat","messages":[{"role":"user","content":"hi"}]}""";

    private static OpaProcess opa;
    private static String defaultSettings;
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeAll
    static void startOpa() throws Exception {
        opa = OpaProcess.start();
        defaultSettings = Files.readString(opa.policies().resolve(SETTINGS_FILE));
    }

    @AfterAll
    static void stopOpa() {
        opa.close();
    }

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  opa: {url: "%s"}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: k, region: us}
                    deepseek: {kind: openai-compatible, preset: deepseek, base-url: "%s", api-key: k, region: eu,
                               zero-retention: true}
                  plugins:
                    - name: routing
                      retries: 0
                      routes:
                        chat:
                          targets: [{target: openai/gpt-4o}, {target: deepseek/deepseek-chat}]
                """.formatted(VeilUnderTest.MASTER_KEY, opa.url(), upstream.baseUrl(), upstream.baseUrl()));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
        settings(defaultSettings);
    }

    /** Replaces the policy settings OPA serves, and waits until OPA has loaded them. */
    private static void settings(String json) throws Exception {
        Files.writeString(opa.policies().resolve(SETTINGS_FILE), json);
        JsonNode wanted = JSON.readTree(json);
        Instant deadline = Instant.now().plusSeconds(20);
        while (!JSON.readTree(opa.data("veil/settings")).path("result").equals(wanted)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("OPA did not load the changed settings");
            }
            Thread.sleep(20);
        }
    }

    /** The default settings with one object replaced, as in {@code routing.tenant_regions}. */
    private static String withSetting(String section, String key, String value) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(defaultSettings);
        ((ObjectNode) root.get(section)).set(key, JSON.readTree(value));
        return JSON.writeValueAsString(root);
    }

    private int callsTo(String model) {
        return (int) upstream.received().stream().filter(r -> r.body().path("model").asText().equals(model)).count();
    }

    @Test
    void followsThePluginsOrderWhenThePolicyHasNoPreference() {
        HttpResponse<String> response = veil.post("/v1/chat/completions", ASK);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("openai");
    }

    @Test
    void followsThePolicyWhenItReordersThePluginsTargets() throws Exception {
        settings(withSetting("routing", "tenant_regions", "{\"default\": \"eu\"}"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", ASK);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("deepseek");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("1");
        assertThat(callsTo("gpt-4o")).isZero();
    }

    @Test
    void neverFallsBackToATargetThePolicyRemoved() throws Exception {
        settings(withSetting("compliance", "data_classes", "{\"cards\": {\"providers\": [\"deepseek\"]}}"));
        upstream.on("deepseek-chat", FakeOpenAiUpstream.error(500, "server_error", "boom", null));

        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .header("x-veil-metadata", "{\"data_class\": \"cards\"}")
                .POST(HttpRequest.BodyPublishers.ofString(ASK)).build());

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(callsTo("deepseek-chat")).isEqualTo(1);
        assertThat(callsTo("gpt-4o")).as("the plugin's fallback, which the policy removed").isZero();
    }
}
