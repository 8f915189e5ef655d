package dev.veil.server.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.config.ConfigException;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/** The pii-redaction plugin in the real server, between a client and a fake provider that records what it got. */
class PiiRedactionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMAIL = "ann.lee@example.org";
    private static final String PHONE = "+44 20 7946 0958";

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private void start(String pluginSettings) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: pii-redaction
                %s""".formatted(pluginSettings)));
    }

    @Test
    void replacesPersonalDataBeforeItLeavesAndCountsItInAHeader() throws Exception {
        start("");
        String text = "Mail " + EMAIL + " or call " + PHONE + ".";

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat(text, false));

        assertThat(response.statusCode()).isEqualTo(200);
        String sent = upstream.lastReceived().body().path("messages").get(0).path("content").asText();
        assertThat(sent).isEqualTo("Mail <EMAIL_1> or call <PHONE_1>.");
        assertThat(response.headers().firstValue("x-veil-redactions")).hasValue("2");
        assertThat(content(response)).isEqualTo(text);
    }

    @Test
    void restoresAPlaceholderSplitAcrossStreamEvents() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("Write to <EMA", "IL_", "1> today."),
                Duration.ZERO));
        start("");

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("Contact " + EMAIL, true));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(streamedText(response)).containsExactly("Write to ", EMAIL + " today.");
    }

    @Test
    void blocksATypeConfiguredToBlockWithoutSendingAnything() throws Exception {
        start("      modes: {PHONE: block}\n");

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("Call " + PHONE, false));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("pii_blocked");
        assertThat(error.path("message").asText()).contains("PHONE").doesNotContain("7946");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void blocksOnTheAnthropicSurfaceInAnthropicsErrorShape() throws Exception {
        start("      modes: {PHONE: block}\n");

        HttpResponse<String> response = veil.post("/v1/messages", """
                {"model":"gpt-4o","max_tokens":50,"messages":[{"role":"user","content":"Call %s"}]}"""
                .formatted(PHONE));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.path("error").path("message").asText()).contains("PHONE").doesNotContain("7946");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void redactsTheAnthropicSystemPromptAndRestoresTheAnswer() throws Exception {
        start("");

        HttpResponse<String> response = veil.post("/v1/messages", """
                {"model":"gpt-4o","max_tokens":50,"system":"The user is %s.",
                 "messages":[{"role":"user","content":"My address is %s"}]}""".formatted(EMAIL, EMAIL));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode sent = upstream.lastReceived().body().path("messages");
        assertThat(sent.get(0).path("content").asText()).isEqualTo("The user is <EMAIL_1>.");
        assertThat(sent.get(1).path("content").asText()).isEqualTo("My address is <EMAIL_1>");
        assertThat(JSON.readTree(response.body()).path("content").get(0).path("text").asText())
                .isEqualTo("My address is " + EMAIL);
    }

    @Test
    void masksATypeConfiguredToMask() throws Exception {
        start("      modes: {EMAIL: mask}\n");

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("Mail " + EMAIL, false));

        assertThat(upstream.lastReceived().body().path("messages").get(0).path("content").asText())
                .isEqualTo("Mail ***.***@*******.***");
        assertThat(content(response)).isEqualTo("Mail ***.***@*******.***");
    }

    @Test
    void redactsCustomPatternsAndWordsFromConfig() throws Exception {
        start("""
                      custom:
                        - {type: EMPLOYEE_ID, pattern: 'EMP-[0-9]{6}'}
                        - {type: PROJECT, words: [Bluebird], ignore-case: true}
                """);

        veil.post("/v1/chat/completions", chat("EMP-123456 works on project bluebird", false));

        assertThat(upstream.lastReceived().body().path("messages").get(0).path("content").asText())
                .isEqualTo("<EMPLOYEE_ID_1> works on project <PROJECT_1>");
    }

    @Test
    void redactsEmbeddingsInputsBeforeTheyLeave() throws Exception {
        upstream.on("text-embedding-3-small", exchange -> exchange.json(200, JSON.readTree("""
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5]},
                 {"object":"embedding","index":1,"embedding":[0.25]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""")));
        start("");

        HttpResponse<String> response = veil.post("/v1/embeddings", """
                {"model":"openai/text-embedding-3-small","input":["Mail %s","Call %s"]}""".formatted(EMAIL, PHONE));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-redactions")).hasValue("2");
        assertThat(upstream.lastReceived().body().path("input"))
                .isEqualTo(JSON.readTree("[\"Mail <EMAIL_1>\",\"Call <PHONE_1>\"]"));
    }

    @Test
    void blocksEmbeddingsInputsOfABlockedType() throws Exception {
        start("      modes: {PHONE: block}\n");

        HttpResponse<String> response = veil.post("/v1/embeddings", """
                {"model":"openai/text-embedding-3-small","input":"Call %s"}""".formatted(PHONE));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("pii_blocked");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void refusesToStartWithAnUnknownModeNamingTheKey() {
        assertThatThrownBy(() -> start("      modes: {EMAIL: shred}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.plugins[0].modes.EMAIL")
                .hasMessageContaining("pseudonymize, mask, hash or block");
    }

    private static String chat(String text, boolean stream) throws Exception {
        var body = JSON.createObjectNode().put("model", "gpt-4o").put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return JSON.writeValueAsString(body);
    }

    private static String content(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("choices").get(0).path("message").path("content").asText();
    }

    private static List<String> streamedText(HttpResponse<String> response) throws Exception {
        List<String> pieces = new java.util.ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode content = JSON.readTree(line.substring(6)).path("choices").path(0).path("delta")
                        .path("content");
                if (content.isTextual() && !content.asText().isEmpty()) {
                    pieces.add(content.asText());
                }
            }
        }
        return pieces;
    }
}
