package dev.veil.server.api.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Personal data across the turns of a conversation Veil keeps: the provider never sees it in any turn, the client
 * gets it back in every answer, and a placeholder stands for the same value in every turn.
 */
class ResponsesPrivacyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "deepseek/deepseek-chat";
    private static final String NAME = "Ana Lopez";
    private static final String EMAIL = "ana.lopez@example.com";
    private static final Pattern PLACEHOLDER = Pattern.compile("<(PERSON|EMAIL)_[0-9]+>");

    @TempDir
    Path dataDir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        upstream.on("deepseek-chat", FakeOpenAiUpstream.echoFirst());
        veil = VeilUnderTest.start(ResponsesEndpointTest.config(upstream, dataDir)
                + "  plugins:\n    - name: pii-redaction\n");
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    @Test
    void aFiveTurnChainKeepsPersonalDataFromTheProviderAndItsPlaceholdersStable() throws Exception {
        List<String> answers = new ArrayList<>();
        Optional<String> previous = Optional.empty();
        String[][] turns = {
                {"My name is " + NAME + " and my email is " + EMAIL + ".", null, "false"},
                {"Please remember that.", "You assist Bram de Vries, the account manager.", "false"},
                {"Go on.", null, "false"},
                {"Continue.", null, "true"},
                {"One last time.", null, "false"},
        };
        for (String[] turn : turns) {
            ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("input", turn[0]);
            if (turn[1] != null) {
                body.put("instructions", turn[1]);
            }
            previous.ifPresent(id -> body.put("previous_response_id", id));
            boolean stream = Boolean.parseBoolean(turn[2]);
            body.put("stream", stream);
            HttpResponse<String> response = veil.post("/v1/responses", body.toString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode completed = stream ? completedOf(response.body()) : JSON.readTree(response.body());
            if (stream) {
                answers.add(deltas(response.body()));
            }
            answers.add(completed.path("output").path(0).path("content").path(0).path("text").asText());
            previous = Optional.of(completed.path("id").asText());
        }

        assertThat(upstream.received()).hasSize(turns.length);
        assertThat(upstream.received()).allSatisfy(received -> assertThat(received.body().toString())
                .doesNotContain("Lopez", EMAIL, "Bram"));
        assertThat(answers).allSatisfy(answer -> assertThat(answer).contains(NAME, EMAIL));
        Set<List<String>> placeholdersOfTurnOne = new LinkedHashSet<>();
        for (FakeOpenAiUpstream.Received received : upstream.received()) {
            placeholdersOfTurnOne.add(placeholders(firstUserText(received.body())));
        }
        assertThat(placeholdersOfTurnOne).hasSize(1);
        List<String> stable = placeholdersOfTurnOne.iterator().next();
        assertThat(stable).hasSize(2);
        String instructions = upstream.received().get(1).body().path("messages").path(0).path("content").asText();
        assertThat(placeholders(instructions)).hasSize(1).doesNotContainAnyElementsOf(stable);
    }

    @Test
    void personalDataIsRestoredInFunctionCallArgumentsAsJsonAndStreamed() throws Exception {
        upstream.on("deepseek-chat", FakeOpenAiUpstream.echoAsToolCall("send_mail"));
        String body = "{\"model\": \"" + MODEL + "\", \"input\": \"Write to " + EMAIL + "\", \"tools\": [{\"type\": "
                + "\"function\", \"name\": \"send_mail\", \"parameters\": {\"type\": \"object\"}}]";

        JsonNode answer = JSON.readTree(veil.post("/v1/responses", body + "}").body());
        HttpResponse<String> streamed = veil.post("/v1/responses", body + ", \"stream\": true}");

        assertThat(upstream.received()).allSatisfy(received -> assertThat(received.body().toString())
                .doesNotContain(EMAIL));
        JsonNode call = answer.path("output").path(0);
        assertThat(call.path("type").asText()).isEqualTo("function_call");
        assertThat(JSON.readTree(call.path("arguments").asText()).path("text").asText())
                .isEqualTo("Write to " + EMAIL);
        StringBuilder deltas = new StringBuilder();
        for (JsonNode event : ResponsesEndpointTest.events(streamed.body())) {
            if (event.path("type").asText().equals("response.function_call_arguments.delta")) {
                deltas.append(event.path("delta").asText());
            }
        }
        assertThat(JSON.readTree(deltas.toString()).path("text").asText()).isEqualTo("Write to " + EMAIL);
        JsonNode done = completedOf(streamed.body()).path("output").path(0);
        assertThat(JSON.readTree(done.path("arguments").asText()).path("text").asText())
                .isEqualTo("Write to " + EMAIL);
    }

    private static String firstUserText(JsonNode body) {
        for (JsonNode message : body.path("messages")) {
            if (message.path("role").asText().equals("user")) {
                JsonNode content = message.path("content");
                return content.isTextual() ? content.textValue() : content.path(0).path("text").asText();
            }
        }
        return "";
    }

    private static List<String> placeholders(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    private static JsonNode completedOf(String stream) throws Exception {
        for (JsonNode event : ResponsesEndpointTest.events(stream)) {
            if (event.path("type").asText().equals("response.completed")) {
                return event.path("response");
            }
        }
        throw new AssertionError("no response.completed event in " + stream);
    }

    private static String deltas(String stream) throws Exception {
        StringBuilder text = new StringBuilder();
        for (JsonNode event : ResponsesEndpointTest.events(stream)) {
            if (event.path("type").asText().equals("response.output_text.delta")) {
                text.append(event.path("delta").asText());
            }
        }
        return text.toString();
    }
}
