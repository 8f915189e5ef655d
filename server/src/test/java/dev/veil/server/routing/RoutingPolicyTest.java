package dev.veil.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;

/**
 * The routing plugin proposes, the policy decides: a real OPA running the project's policies reorders or narrows
 * the targets of a route the plugin built, and dispatch follows the decision.
 */
class RoutingPolicyTest {
    private static final String ASK = """
            {"model":"chat","messages":[{"role":"user","content":"hi"}]}""";

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
        opa.defaultSettings();
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
        opa.setting("routing.tenant_regions", "{\"default\": \"eu\"}");

        HttpResponse<String> response = veil.post("/v1/chat/completions", ASK);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("deepseek");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("1");
        assertThat(callsTo("gpt-4o")).isZero();
    }

    @Test
    void neverFallsBackToATargetThePolicyRemoved() throws Exception {
        opa.setting("compliance.data_classes", "{\"cards\": {\"providers\": [\"deepseek\"]}}");
        upstream.on("deepseek-chat", FakeOpenAiUpstream.error(500, "server_error", "boom", null));

        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .header("x-veil-metadata", "{\"data_class\": \"cards\"}")
                .POST(HttpRequest.BodyPublishers.ofString(ASK)).build());

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(callsTo("deepseek-chat")).isEqualTo(1);
        assertThat(callsTo("gpt-4o")).as("the plugin's fallback, which the policy removed").isZero();
    }
}
