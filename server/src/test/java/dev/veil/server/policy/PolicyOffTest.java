package dev.veil.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code veil.opa: {enabled: false}} is never silent: every response says the policy is off. */
class PolicyOffTest {
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    private String startupLog;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        try (CapturedLogs logs = CapturedLogs.open()) {
            veil = VeilUnderTest.withUpstream(upstream);
            startupLog = logs.text();
        }
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    @Test
    void warnsAtStartupThatRequestsGoUnchecked() {
        assertThat(startupLog).contains("policy checks are OFF").contains("veil.opa.enabled: false");
    }

    @Test
    void marksAnAnswerPolicyOff() {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-policy")).hasValue("off");
    }

    @Test
    void marksErrorsHealthAndModelListsPolicyOffToo() {
        HttpResponse<String> unauthenticated = veil.send(veil.request("/v1/chat/completions")
                .setHeader("Authorization", "Bearer wrong").POST(HttpRequest.BodyPublishers.ofString("{}")).build());

        assertThat(unauthenticated.statusCode()).isEqualTo(401);
        assertThat(unauthenticated.headers().firstValue("x-veil-policy")).hasValue("off");
        assertThat(veil.get("/health/ready").headers().firstValue("x-veil-policy")).hasValue("off");
        assertThat(veil.get("/v1/models").headers().firstValue("x-veil-policy")).hasValue("off");
    }
}
