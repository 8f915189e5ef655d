package dev.veil.server.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.veil.plugins.pii.testing.CorpusScore;
import dev.veil.plugins.pii.testing.PiiCorpus;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * Redaction quality over the labelled corpora, through the real server, scored by the plugin's own
 * {@link CorpusScore}: what the provider received (captured by the fake upstream) must hold none of the labelled
 * values and every look-alike, and what the client gets back through an echoing upstream must be its own text,
 * exactly — as a chat completion, an Anthropic message, the arguments of an earlier tool call, and a stream. Prints
 * per-type recall, look-alikes kept and round trip for each corpus and surface.
 */
class PiiRedactionCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static FakeOpenAiUpstream upstream;
    private static VeilUnderTest veil;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo())
                .on("tool-echo", FakeOpenAiUpstream.echoAsToolCall("record"));
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: pii-redaction
                """));
    }

    @AfterAll
    static void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"dev.jsonl, chat completions", "dev.jsonl, anthropic messages", "dev.jsonl, tool-call arguments",
        "dev.jsonl, stream", "dev-v2.jsonl, chat completions", "dev-v2.jsonl, anthropic messages",
        "dev-v2.jsonl, tool-call arguments", "dev-v2.jsonl, stream", "heldout.jsonl, chat completions",
        "heldout.jsonl, anthropic messages", "heldout.jsonl, tool-call arguments", "heldout.jsonl, stream",
        "blind.jsonl, chat completions", "blind.jsonl, anthropic messages", "blind.jsonl, tool-call arguments",
        "blind.jsonl, stream"})
    void meetsTheBarAndGivesTheClientItsTextBack(String corpus, String surface) throws Exception {
        CorpusScore score = new CorpusScore(corpus.replace(".jsonl", "") + " through the server, " + surface);
        for (PiiCorpus.Sample sample : PiiCorpus.load(corpus)) {
            long started = System.nanoTime();
            String[] sentAndAnswer = switch (surface) {
                case "chat completions" -> exchange(sample, post("/v1/chat/completions", openAi(sample.text())),
                        body -> body.path("choices").get(0).path("message").path("content").asText(),
                        PiiRedactionCorpusTest::lastUser);
                case "anthropic messages" -> exchange(sample, post("/v1/messages", anthropic(sample.text())),
                        body -> body.path("content").get(0).path("text").asText(), PiiRedactionCorpusTest::lastUser);
                case "tool-call arguments" -> exchange(sample, post("/v1/chat/completions", withToolCall(
                        sample.text())), body -> text(body.path("choices").get(0).path("message")
                                .path("tool_calls").get(0).path("function").path("arguments").asText()),
                        sent -> text(sent.path("messages").get(1).path("tool_calls").get(0).path("function")
                                .path("arguments").asText()));
                default -> streamed(sample);
            };
            score.add(sample, sentAndAnswer[0], sentAndAnswer[1], System.nanoTime() - started);
        }
        score.print();
        score.assertMeetsTheBar();
    }

    private static String[] exchange(PiiCorpus.Sample sample, HttpResponse<String> response,
            Function<JsonNode, String> answerText, Function<JsonNode, String> sentText) throws Exception {
        assertThat(response.statusCode()).as("status of sample %d", sample.id()).isEqualTo(200);
        return new String[] {sentText.apply(upstream.lastReceived().body()),
            answerText.apply(JSON.readTree(response.body()))};
    }

    private static String[] streamed(PiiCorpus.Sample sample) throws Exception {
        ObjectNode body = openAi(sample.text());
        body.put("stream", true);
        HttpResponse<String> response = post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as("status of sample %d", sample.id()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode delta = JSON.readTree(line.substring(6)).path("choices").path(0).path("delta");
                text.append(delta.path("content").asText(""));
            }
        }
        return new String[] {lastUser(upstream.lastReceived().body()), text.toString()};
    }

    private static HttpResponse<String> post(String path, JsonNode body) throws Exception {
        return veil.post(path, JSON.writeValueAsString(body));
    }

    private static ObjectNode openAi(String text) {
        ObjectNode body = JSON.createObjectNode().put("model", "gpt-4o");
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    private static ObjectNode anthropic(String text) {
        ObjectNode body = JSON.createObjectNode().put("model", "gpt-4o").put("max_tokens", 256);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    /** A conversation whose earlier assistant turn called a tool with the text as an argument. */
    private static ObjectNode withToolCall(String text) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", "openai/tool-echo");
        var messages = body.putArray("messages");
        messages.addObject().put("role", "user").put("content", "Record this note.");
        ObjectNode call = messages.addObject().put("role", "assistant");
        call.putNull("content");
        ObjectNode toolCall = call.putArray("tool_calls").addObject().put("id", "call_1").put("type", "function");
        toolCall.putObject("function").put("name", "record")
                .put("arguments", JSON.writeValueAsString(JSON.createObjectNode().put("text", text)));
        messages.addObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "recorded");
        messages.addObject().put("role", "user").put("content", text);
        return body;
    }

    private static String lastUser(JsonNode sent) {
        String text = "";
        for (JsonNode message : sent.path("messages")) {
            if ("user".equals(message.path("role").asText())) {
                JsonNode content = message.path("content");
                text = content.isTextual() ? content.asText() : content.path(0).path("text").asText();
            }
        }
        return text;
    }

    /** The text inside tool-call arguments; arguments that are no longer JSON are scored as they are. */
    private static String text(String arguments) {
        try {
            return JSON.readTree(arguments).path("text").asText();
        } catch (Exception e) {
            return arguments;
        }
    }
}
