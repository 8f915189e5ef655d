package dev.veil.server.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.veil.server.testing.VeilUnderTest;

/**
 * A prompt made of nothing but personal data, through the real server to the built-in {@code veil/echo} model with
 * {@code pii-redaction} at its default limit of 10,000 findings per request.
 */
class PiiFindingsLimitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMAIL = "maria@example.com ";
    private static final String SETTING = "veil.plugins[0].max-findings";

    private static VeilUnderTest veil;

    @BeforeAll
    static void start() {
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  providers: {veil: {kind: echo}}
                  plugins:
                    - name: pii-redaction
                """.formatted(VeilUnderTest.MASTER_KEY));
    }

    @AfterAll
    static void stop() {
        veil.close();
    }

    @Test
    void refusesAPromptOfEightyThousandEmailsWithA413NamingTheLimitAndTheSetting() throws Exception {
        String prompt = EMAIL.repeat(80_000);

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat(prompt));

        assertThat(prompt.length()).isGreaterThan(1_400_000);
        assertThat(response.statusCode()).isEqualTo(413);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("pii_too_many_findings");
        assertThat(error.path("message").asText()).contains("over 10000", SETTING);
        assertThat(response.body()).doesNotContain("maria", "example.com");
    }

    @Test
    void refusesItOnTheAnthropicSurfaceInAnthropicsErrorShape() throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", "veil/echo").put("max_tokens", 50);
        body.putArray("messages").addObject().put("role", "user").put("content", EMAIL.repeat(80_000));

        HttpResponse<String> response = veil.post("/v1/messages", JSON.writeValueAsString(body));

        assertThat(response.statusCode()).isEqualTo(413);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("type").asText()).isEqualTo("error");
        assertThat(answer.path("error").path("type").asText()).isEqualTo("request_too_large");
        assertThat(answer.path("error").path("message").asText()).contains(SETTING);
        assertThat(response.body()).doesNotContain("maria");
    }

    @Test
    void answersAPromptJustUnderTheLimitWithEveryValueRestored() throws Exception {
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < 9_999; i++) {
            prompt.append("user").append(i).append("@example.com ");
        }

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat(prompt.toString()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-redactions")).hasValue("9999");
        assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText())
                .isEqualTo(prompt.toString());
    }

    private static String chat(String text) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", "veil/echo");
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return JSON.writeValueAsString(body);
    }
}
