package dev.veil.server.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.PiiCorpus;
import dev.veil.server.testing.VeilUnderTest;

/**
 * Redaction quality over the labelled corpus, through the real server: what the provider would have received
 * (captured by the fake upstream) must hold none of the labelled values and every look-alike, and what the client
 * gets back through an echoing upstream must be its own text, exactly. Prints per-type recall and the negative
 * survival rate for each surface.
 */
class PiiRedactionCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+");
    /** Veil's own placeholders, such as {@code <EMAIL_1>}: their letters are no word of the client's text. */
    private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Z_]+_\\d+>");
    private static final double STRUCTURED_RECALL = 0.99;
    private static final double PERSON_RECALL = 0.90;
    private static final double NEGATIVE_SURVIVAL = 0.99;

    private static List<PiiCorpus.Sample> corpus;
    private static FakeOpenAiUpstream upstream;
    private static VeilUnderTest veil;

    @BeforeAll
    static void start() throws Exception {
        corpus = PiiCorpus.load();
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

    @Test
    void chatCompletionsMeetTheQualityBarAndEchoBackExactly() throws Exception {
        Score score = run("openai chat", text -> post("/v1/chat/completions", openAi("gpt-4o", text)),
                body -> body.path("choices").get(0).path("message").path("content").asText(),
                sent -> lastUser(sent));
        score.assertMeetsTheBar();
    }

    @Test
    void anthropicMessagesMeetTheQualityBarAndEchoBackExactly() throws Exception {
        Score score = run("anthropic messages", text -> post("/v1/messages", anthropic(text)),
                body -> body.path("content").get(0).path("text").asText(),
                sent -> lastUser(sent));
        score.assertMeetsTheBar();
    }

    @Test
    void toolCallArgumentsMeetTheQualityBarAndComeBackExactly() throws Exception {
        Score score = run("tool-call arguments", text -> post("/v1/chat/completions", withToolCall(text)),
                body -> text(body.path("choices").get(0).path("message").path("tool_calls").get(0)
                        .path("function").path("arguments").asText()),
                sent -> text(sent.path("messages").get(1).path("tool_calls").get(0).path("function")
                        .path("arguments").asText()));
        score.assertMeetsTheBar();
    }

    @Test
    void streamedAnswersEchoBackExactly() throws Exception {
        int exact = 0;
        for (PiiCorpus.Sample sample : corpus) {
            ObjectNode body = openAi("gpt-4o", sample.text());
            body.put("stream", true);
            HttpResponse<String> response = post("/v1/chat/completions", body);
            StringBuilder text = new StringBuilder();
            for (String line : response.body().split("\n")) {
                if (line.startsWith("data: {")) {
                    JsonNode delta = JSON.readTree(line.substring(6)).path("choices").path(0).path("delta");
                    text.append(delta.path("content").asText(""));
                }
            }
            if (text.toString().equals(sample.text())) {
                exact++;
            }
        }
        System.out.printf("pii corpus, streamed echo: %d/%d exact%n", exact, corpus.size());
        assertThat(exact).isEqualTo(corpus.size());
    }

    private Score run(String surface, Sender send, Function<JsonNode, String> answerText,
                      Function<JsonNode, String> sentText) throws Exception {
        Score score = new Score(surface);
        for (PiiCorpus.Sample sample : corpus) {
            HttpResponse<String> response = send.send(sample.text());
            assertThat(response.statusCode()).as("status of sample %d", sample.id()).isEqualTo(200);
            String sent = sentText.apply(upstream.lastReceived().body());
            score.add(sample, sent, answerText.apply(JSON.readTree(response.body())));
        }
        score.print();
        return score;
    }

    /** Whether each labelled value left, whether each look-alike arrived, whether the client got its text back. */
    private static final class Score {
        private final String surface;
        private final Map<String, int[]> byType = new TreeMap<>();
        private int negatives;
        private int survived;
        private int exactEchoes;
        private int samples;
        private final List<Integer> notExact = new ArrayList<>();

        Score(String surface) {
            this.surface = surface;
        }

        void add(PiiCorpus.Sample sample, String sent, String answer) {
            samples++;
            String outsideSpans = sample.text();
            for (PiiCorpus.Span span : sample.spans()) {
                outsideSpans = outsideSpans.replace(span.value(), " ");
            }
            for (PiiCorpus.Span span : sample.spans()) {
                int[] counts = byType.computeIfAbsent(span.type(), t -> new int[2]);
                counts[1]++;
                if (left(span.value(), sent, outsideSpans)) {
                    counts[0]++;
                }
            }
            for (String negative : sample.negatives()) {
                negatives++;
                if (occurrences(sent, negative) >= occurrences(sample.text(), negative)) {
                    survived++;
                }
            }
            if (answer.equals(sample.text())) {
                exactEchoes++;
            } else {
                notExact.add(sample.id());
            }
        }

        /**
         * A value counts as redacted when neither it nor any of its words reached the provider — a name whose
         * surname got through was not redacted — except words the text also uses outside any labelled span.
         */
        private static boolean left(String value, String sent, String outsideSpans) {
            if (sent.contains(value)) {
                return false;
            }
            String sentText = PLACEHOLDER.matcher(sent).replaceAll(" ");
            var words = TOKEN.matcher(value);
            while (words.find()) {
                String word = words.group();
                if (word.length() >= 3 && occurrences(sentText, word) > occurrences(outsideSpans, word)) {
                    return false;
                }
            }
            return true;
        }

        void print() {
            StringBuilder out = new StringBuilder("pii corpus, " + surface + ":");
            byType.forEach((type, counts) -> out.append(String.format(" %s %.3f (%d/%d);", type,
                    recall(counts), counts[0], counts[1])));
            out.append(String.format(" negatives surviving %.3f (%d/%d); exact echoes %d/%d", survival(), survived,
                    negatives, exactEchoes, samples));
            System.out.println(out);
        }

        void assertMeetsTheBar() {
            byType.forEach((type, counts) -> assertThat(recall(counts)).as("%s recall on %s", type, surface)
                    .isGreaterThanOrEqualTo("PERSON".equals(type) ? PERSON_RECALL : STRUCTURED_RECALL));
            assertThat(survival()).as("negative survival on %s", surface).isGreaterThanOrEqualTo(NEGATIVE_SURVIVAL);
            assertThat(notExact).as("samples not echoed back exactly on %s", surface).isEmpty();
        }

        private static double recall(int[] counts) {
            return (double) counts[0] / counts[1];
        }

        private double survival() {
            return negatives == 0 ? 1.0 : (double) survived / negatives;
        }
    }

    @FunctionalInterface
    private interface Sender {
        HttpResponse<String> send(String text) throws Exception;
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private static HttpResponse<String> post(String path, JsonNode body) throws Exception {
        return veil.post(path, JSON.writeValueAsString(body));
    }

    private static ObjectNode openAi(String model, String text) {
        ObjectNode body = JSON.createObjectNode().put("model", model);
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

    private static String text(String arguments) {
        try {
            return JSON.readTree(arguments).path("text").asText();
        } catch (Exception e) {
            throw new AssertionError("tool-call arguments are not JSON: " + e.getMessage());
        }
    }
}
