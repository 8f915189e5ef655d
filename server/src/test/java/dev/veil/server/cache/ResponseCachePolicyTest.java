package dev.veil.server.cache;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;

/** A real OPA decides every request, and a cached answer is no way around its decision. */
class ResponseCachePolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpaProcess opa;
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        opa = OpaProcess.start();
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  opa: {url: "%s"}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: k, region: us}
                  models:
                    smart: {targets: ["openai/gpt-4o"]}
                  plugins:
                    - name: response-cache
                """.formatted(VeilUnderTest.MASTER_KEY, opa.url(), upstream.baseUrl()));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
        opa.close();
    }

    /** Makes the policy deny tenant {@code default} every model, and waits until OPA has loaded that. */
    private void denyEverything() throws Exception {
        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");
    }

    @Test
    void deniesARequestWhoseAnswerIsCachedWhenThePolicyNowDenies() throws Exception {
        String body = ResponseCacheTest.chat("What is the capital of Norway?", false);
        HttpResponse<String> allowed = veil.post("/v1/chat/completions", body);
        assertThat(veil.post("/v1/chat/completions", body).headers().firstValue("x-veil-cache")).hasValue("hit");
        denyEverything();

        // The allow may be reused until Veil sees the settings change (docs/policy.md, "Reusing decisions").
        HttpResponse<String> denied = await("the denial applied").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> veil.post("/v1/chat/completions", body), response -> response.statusCode() != 200);

        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(denied.body()).at("/error/code").asText()).isEqualTo("policy_denied");
        assertThat(denied.headers().firstValue("x-veil-cache")).isEmpty();
        assertThat(denied.body()).doesNotContain("capital");
        assertThat(upstream.received()).hasSize(1);
    }
}
