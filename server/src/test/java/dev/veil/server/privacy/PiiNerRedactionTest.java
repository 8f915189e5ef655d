package dev.veil.server.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.config.ConfigException;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * pii-redaction with its NER detector on the tiny test model (plugins/pii-redaction/src/test/resources/ner, built by
 * plugins/pii-redaction/tools/build_tiny_ner_model.py), in the real server between a client and a fake provider: a
 * name only the model finds never reaches the provider, and comes back in the answer.
 */
class PiiNerRedactionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODEL_DIR = Path.of(System.getProperty("veil.project.dir"),
            "plugins/pii-redaction/src/test/resources/ner");
    private static final String NAME = "zorvath quillane";

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

    private void start(String model) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: pii-redaction
                      ner:
                        model: %s
                        vocab: %s
                        labels: %s
                """.formatted(model, MODEL_DIR.resolve("vocab.txt"), MODEL_DIR.resolve("config.json"))));
    }

    @Test
    void aNameOnlyTheModelFindsNeverReachesTheProviderAndIsRestored() throws Exception {
        start(MODEL_DIR.resolve("model.onnx").toString());
        String text = "please call " + NAME + " or ann.lee@example.org tomorrow";

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat(text, false));

        assertThat(response.statusCode()).isEqualTo(200);
        String sent = upstream.lastReceived().body().path("messages").get(0).path("content").asText();
        assertThat(sent).isEqualTo("please call <PERSON_1> or <EMAIL_1> tomorrow");
        assertThat(response.headers().firstValue("x-veil-redactions")).hasValue("2");
        assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText()).isEqualTo(text);
    }

    @Test
    void theNameIsRestoredInAStreamedAnswer() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("I called <PERS", "ON_1> today."), Duration.ZERO));
        start(MODEL_DIR.resolve("model.onnx").toString());

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("call " + NAME + " today", true));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().toString()).doesNotContain("zorvath", "quillane");
        assertThat(String.join("", streamedText(response))).isEqualTo("I called " + NAME + " today.");
    }

    @Test
    void refusesToStartWithoutTheModelFileNamingTheKey() {
        assertThatThrownBy(() -> start(MODEL_DIR.resolve("absent.onnx").toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.plugins[0].ner.model")
                .hasMessageContaining("no readable file");
    }

    private static String chat(String text, boolean stream) throws Exception {
        var body = JSON.createObjectNode().put("model", "gpt-4o").put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return JSON.writeValueAsString(body);
    }

    private static List<String> streamedText(HttpResponse<String> response) throws Exception {
        List<String> pieces = new ArrayList<>();
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
