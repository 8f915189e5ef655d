package dev.veil.server.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeGeminiUpstream;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.NodeScript;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code src/test/node/openai-responses-compat.mjs}, which drives {@code /v1/responses} with the official
 * {@code openai} npm package, against the real server on OpenAI (relayed), OpenAI-compatible, Anthropic and Gemini
 * fakes set up the way the script's header describes. The script runs once; its npm packages are installed by
 * {@code ./veil test} ({@code npm ci --prefix server/src/test/node}).
 */
class OpenAiNodeSdkResponsesTest {
    private static final String CALL_ID = "call_node_weather";
    private static final List<String> CHAIN = List.of("Node turn one: my colour is teal",
            "Node turn two: my pet is a heron", "Node turn three: what do you know?");

    private static Path dataDir;
    private static FakeOpenAiUpstream openAi;
    private static FakeAnthropicUpstream anthropic;
    private static FakeGeminiUpstream gemini;
    private static VeilUnderTest veil;
    private static NodeScript.Run run;
    /** Every request body the Anthropic and Gemini fakes got, by upstream model. */
    private static final Map<String, List<JsonNode>> RECEIVED = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("veil-node-responses");
        openAi = new FakeOpenAiUpstream();
        anthropic = new FakeAnthropicUpstream();
        gemini = new FakeGeminiUpstream();
        for (String model : List.of("gpt-4o", "deepseek-chat")) {
            openAi.on(model + "-tools", OpenAiJavaSdkResponsesTest.openAiWeather(CALL_ID));
        }
        // A relayed stream that is cut off ends with Veil's error event; one that reports its failure, with OpenAI's.
        openAi.on("gpt-4o-broken", FakeOpenAiUpstream.truncateStream(OpenAiJavaSdkResponsesTest.PARTIAL));
        openAi.on("gpt-4o-upstream-error", FakeOpenAiUpstream.errorMidStream(OpenAiJavaSdkResponsesTest.PARTIAL,
                "generation failed"));
        openAi.on("deepseek-chat-broken", FakeOpenAiUpstream.errorMidStream(OpenAiJavaSdkResponsesTest.PARTIAL,
                "generation failed"));
        anthropic.on("claude-test", recorded("claude-test", FakeAnthropicUpstream.echo()));
        anthropic.on("claude-test-tools", OpenAiJavaSdkResponsesTest.anthropicWeather(CALL_ID));
        anthropic.on("claude-test-broken", OpenAiJavaSdkResponsesTest.anthropicBroken());
        gemini.on("gemini-2.5-flash", recorded("gemini-2.5-flash", FakeGeminiUpstream.echo()));
        gemini.on("gemini-2.5-flash-tools", OpenAiJavaSdkResponsesTest.geminiWeather());
        gemini.on("gemini-2.5-flash-broken", OpenAiJavaSdkResponsesTest.geminiBroken());
        veil = VeilUnderTest.start(OpenAiJavaSdkResponsesTest.config(dataDir, openAi, anthropic, gemini));
    }

    @AfterAll
    static void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        for (AutoCloseable upstream : new AutoCloseable[] {openAi, anthropic, gemini}) {
            if (upstream != null) {
                upstream.close();
            }
        }
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void passesEveryCheckOfTheOfficialNodeClient() throws Exception {
        NodeScript.Run script = script();

        assertThat(script.exitCode())
                .as("node openai-responses-compat.mjs exited with %d; its output:%n%s", script.exitCode(),
                        script.output())
                .isZero();
        assertThat(script.output()).contains("checks passed");
    }

    @Test
    void passesTheStructuredOutputSchemaToEveryUpstream() throws Exception {
        NodeScript.Run script = script();

        assertThat(openAi.received()).as(script.output())
                .anySatisfy(received -> {
                    assertThat(received.path()).endsWith("/responses");
                    assertForecastSchema(received.body().path("text").path("format").path("schema"));
                })
                .anySatisfy(received -> {
                    assertThat(received.body().path("model").asText()).isEqualTo("deepseek-chat");
                    assertForecastSchema(received.body().path("response_format").path("json_schema")
                            .path("schema"));
                });
        assertThat(RECEIVED.get("claude-test")).as(script.output()).anySatisfy(body ->
                assertForecastSchema(body.path("output_config").path("format").path("schema")));
        assertThat(RECEIVED.get("gemini-2.5-flash")).as(script.output()).anySatisfy(body ->
                assertForecastSchema(body.path("generationConfig").path("responseSchema")));
    }

    @Test
    void replaysTheWholeConversationToEveryUpstreamOnTheThirdTurn() throws Exception {
        NodeScript.Run script = script();

        List<String> thirdTurns = new ArrayList<>();
        thirdTurns.addAll(lastTurns(openAi.received().stream().filter(received -> received.body()
                .path("model").asText().equals("gpt-4o")).map(FakeOpenAiUpstream.Received::body).toList()));
        thirdTurns.addAll(lastTurns(openAi.received().stream().filter(received -> received.body()
                .path("model").asText().equals("deepseek-chat")).map(FakeOpenAiUpstream.Received::body).toList()));
        thirdTurns.addAll(lastTurns(RECEIVED.getOrDefault("claude-test", List.of())));
        thirdTurns.addAll(lastTurns(RECEIVED.getOrDefault("gemini-2.5-flash", List.of())));

        assertThat(thirdTurns).as(script.output()).hasSize(4).allSatisfy(body -> {
            assertThat(occurrences(body, CHAIN.get(0))).as(body).isEqualTo(2);
            assertThat(occurrences(body, CHAIN.get(1))).as(body).isEqualTo(2);
            assertThat(occurrences(body, CHAIN.get(2))).as(body).isEqualTo(1);
        });
    }

    private static void assertForecastSchema(JsonNode schema) {
        assertThat(schema.path("properties").has("city")).as("schema: %s", schema).isTrue();
        assertThat(schema.path("properties").has("celsius")).as("schema: %s", schema).isTrue();
    }

    /** The requests, among {@code bodies}, that carried the chain's third turn. */
    private static List<String> lastTurns(List<JsonNode> bodies) {
        return bodies.stream().map(JsonNode::toString).filter(body -> body.contains(CHAIN.get(2))).toList();
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static FakeAnthropicUpstream.Behavior recorded(String model, FakeAnthropicUpstream.Behavior then) {
        return (exchange, request) -> {
            bodies(model).add(request);
            then.respond(exchange, request);
        };
    }

    private static FakeGeminiUpstream.Behavior recorded(String model, FakeGeminiUpstream.Behavior then) {
        return (exchange, request, stream) -> {
            bodies(model).add(request);
            then.respond(exchange, request, stream);
        };
    }

    private static List<JsonNode> bodies(String model) {
        return RECEIVED.computeIfAbsent(model, key -> new CopyOnWriteArrayList<>());
    }

    /** Runs the script the first time a test needs it; every test looks at the same run. */
    private static synchronized NodeScript.Run script() throws IOException, InterruptedException {
        if (run == null) {
            run = NodeScript.run("openai-responses-compat.mjs", "openai", "OPENAI_", veil.baseUrl() + "/v1");
        }
        return run;
    }
}
