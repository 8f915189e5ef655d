package dev.veil.server.api;

import static dev.veil.server.testing.AnthropicEvents.deltas;
import static dev.veil.server.testing.AnthropicEvents.names;
import static dev.veil.server.testing.AnthropicEvents.only;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.testing.AnthropicEvents;
import dev.veil.server.testing.AnthropicEvents.Event;
import dev.veil.server.testing.FakeBedrockUpstream;
import dev.veil.server.testing.FakeGeminiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The round-trip matrix rows for the Anthropic surface ({@code POST /v1/messages}) against the Gemini and Bedrock
 * upstreams, through the real server: {streaming, not} × {text, tool use, image input}. Expected values come from
 * what the fakes were told to produce; MessagesEndpointTest holds the OpenAI and Anthropic upstream rows.
 */
class MessagesTranslationMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GEMINI_KEY = "AIza-matrix-upstream-key";
    private static final String REGION = "eu-central-1";
    private static final String ACCESS_KEY_ID = "AKIAVEILMATRIX00EXMP";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYveilMATRIX";
    private static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEveilMatrixToken//////wEaCXVz";
    private static final String GEMINI_MODEL = "gemini-2.5-flash";
    private static final String BEDROCK_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    private static final String WEATHER_SCHEMA = """
            {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";
    private static final String WEATHER_TOOL = """
            {"name":"get_weather","description":"Current weather in a city","input_schema":%s}"""
            .formatted(WEATHER_SCHEMA);
    private static final List<String> TEXT = List.of("The ", "quick ", "fox");
    private static final String PREAMBLE = "Checking.";
    private static final String TOOL_ID = "toolu_matrix_1";
    private static final List<String> ARGUMENTS = List.of("{\"city\":", "\"Oslo\"}");
    private static final String PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    /** The two upstreams of these rows, each scripted through its own fake. */
    enum Upstream {
        GEMINI(GEMINI_MODEL, "google",
                FakeGeminiUpstream.PROMPT_TOKENS - FakeGeminiUpstream.CACHED_TOKENS,
                FakeGeminiUpstream.CACHED_TOKENS, 0,
                FakeGeminiUpstream.CANDIDATE_TOKENS + FakeGeminiUpstream.THOUGHT_TOKENS),
        BEDROCK("bedrock/" + BEDROCK_MODEL, "bedrock",
                FakeBedrockUpstream.INPUT_TOKENS, FakeBedrockUpstream.CACHE_READ_TOKENS,
                FakeBedrockUpstream.CACHE_WRITE_TOKENS, FakeBedrockUpstream.OUTPUT_TOKENS);

        final String model;
        final String provider;
        final int inputTokens;
        final int cacheReadTokens;
        final int cacheCreationTokens;
        final int outputTokens;

        Upstream(String model, String provider, int inputTokens, int cacheReadTokens, int cacheCreationTokens,
                 int outputTokens) {
            this.model = model;
            this.provider = provider;
            this.inputTokens = inputTokens;
            this.cacheReadTokens = cacheReadTokens;
            this.cacheCreationTokens = cacheCreationTokens;
            this.outputTokens = outputTokens;
        }
    }

    private FakeGeminiUpstream gemini;
    private FakeBedrockUpstream bedrock;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        gemini = new FakeGeminiUpstream();
        bedrock = new FakeBedrockUpstream(REGION, ACCESS_KEY_ID, SECRET, SESSION_TOKEN);
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    google: {kind: gemini, base-url: "%s", api-key: "%s"}
                    bedrock: {kind: bedrock, base-url: "%s", region: %s, aws-access-key-id: "%s",
                              aws-secret-access-key: "%s", aws-session-token: "%s"}
                """.formatted(VeilUnderTest.MASTER_KEY, gemini.baseUrl(), GEMINI_KEY, bedrock.baseUrl(), REGION,
                ACCESS_KEY_ID, SECRET, SESSION_TOKEN));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        gemini.close();
        bedrock.close();
    }

    // Text ----------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void answersTextAsAnAnthropicMessage(Upstream upstream) throws Exception {
        scriptText(upstream);

        HttpResponse<String> response = messages(textRequest(upstream, false));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue(upstream.provider);
        JsonNode message = JSON.readTree(response.body());
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        assertThat(message.path("id").asText()).startsWith("msg_");
        assertThat(message.path("content")).hasSize(1);
        assertThat(message.at("/content/0/type").asText()).isEqualTo("text");
        assertThat(message.at("/content/0/text").asText()).isEqualTo(String.join("", TEXT));
        assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
        assertUsage(upstream, message.path("usage"));
        assertPromptReachedUpstream(upstream);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void streamsTextAsAnthropicEvents(Upstream upstream) throws Exception {
        scriptText(upstream);

        List<Event> events = stream(textRequest(upstream, true));

        assertThat(events.get(0).name()).isEqualTo("message_start");
        assertThat(events.get(0).data().at("/message/role").asText()).isEqualTo("assistant");
        assertThat(events.get(events.size() - 1).name()).isEqualTo("message_stop");
        assertThat(names(events)).containsSubsequence("message_start", "content_block_start",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(deltas(events, "text_delta", "text")).isEqualTo(String.join("", TEXT));
        JsonNode delta = only(events, "message_delta");
        assertThat(delta.at("/delta/stop_reason").asText()).isEqualTo("end_turn");
        assertUsage(upstream, delta.path("usage"));
        for (Event event : events) {
            assertThat(event.data().path("type").asText()).isEqualTo(event.name());
        }
        assertPromptReachedUpstream(upstream);
    }

    // Tool use ------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void returnsToolUseBlocks(Upstream upstream) throws Exception {
        scriptToolUse(upstream);

        HttpResponse<String> response = messages(toolRequest(upstream, false));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode message = JSON.readTree(response.body());
        assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(message.path("content")).hasSize(2);
        assertThat(message.at("/content/0/type").asText()).isEqualTo("text");
        assertThat(message.at("/content/0/text").asText()).isEqualTo(PREAMBLE);
        JsonNode use = message.at("/content/1");
        assertThat(use.path("type").asText()).isEqualTo("tool_use");
        assertThat(use.path("id").asText()).isEqualTo(TOOL_ID);
        assertThat(use.path("name").asText()).isEqualTo("get_weather");
        assertThat(use.path("input")).isEqualTo(JSON.readTree(String.join("", ARGUMENTS)));
        assertToolReachedUpstream(upstream);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void streamsToolUseInputAsJsonDeltas(Upstream upstream) throws Exception {
        scriptToolUse(upstream);

        List<Event> events = stream(toolRequest(upstream, true));

        assertThat(events.get(0).name()).isEqualTo("message_start");
        assertThat(events.get(events.size() - 1).name()).isEqualTo("message_stop");
        assertThat(deltas(events, "text_delta", "text")).isEqualTo(PREAMBLE);
        List<JsonNode> toolStarts = events.stream().filter(e -> e.name().equals("content_block_start"))
                .map(Event::data).filter(d -> d.at("/content_block/type").asText().equals("tool_use")).toList();
        assertThat(toolStarts).hasSize(1);
        JsonNode block = toolStarts.get(0).path("content_block");
        assertThat(block.path("id").asText()).isEqualTo(TOOL_ID);
        assertThat(block.path("name").asText()).isEqualTo("get_weather");
        assertThat(block.path("input")).isEqualTo(JSON.createObjectNode());
        // Gemini sends a call's arguments whole, as an object, so only their JSON value is fixed, not their bytes.
        String streamed = deltas(events, "input_json_delta", "partial_json");
        assertThat(JSON.readTree(streamed)).isEqualTo(JSON.readTree(String.join("", ARGUMENTS)));
        if (upstream == Upstream.BEDROCK) {
            assertThat(streamed).isEqualTo(String.join("", ARGUMENTS));
        }
        JsonNode delta = only(events, "message_delta");
        assertThat(delta.at("/delta/stop_reason").asText()).isEqualTo("tool_use");
        assertUsage(upstream, delta.path("usage"));
        assertToolReachedUpstream(upstream);
    }

    // Images --------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void passesABase64ImageToTheUpstream(Upstream upstream) throws Exception {
        scriptText(upstream);

        HttpResponse<String> response = messages(imageRequest(upstream, false));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).at("/content/0/text").asText()).isEqualTo(String.join("", TEXT));
        assertImageReachedUpstream(upstream);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void passesABase64ImageToTheUpstreamWhenStreaming(Upstream upstream) throws Exception {
        scriptText(upstream);

        List<Event> events = stream(imageRequest(upstream, true));

        assertThat(deltas(events, "text_delta", "text")).isEqualTo(String.join("", TEXT));
        assertThat(events.get(events.size() - 1).name()).isEqualTo("message_stop");
        assertImageReachedUpstream(upstream);
    }

    // Scripts and upstream checks -------------------------------------------------------------------------------------

    private void scriptText(Upstream upstream) {
        if (upstream == Upstream.GEMINI) {
            gemini.on(GEMINI_MODEL, FakeGeminiUpstream.answer(
                    TEXT.stream().map(FakeGeminiUpstream::text).toList(), "STOP"));
        } else {
            bedrock.on(BEDROCK_MODEL, FakeBedrockUpstream.answer(
                    List.of(FakeBedrockUpstream.Block.text(TEXT.toArray(String[]::new))), "end_turn"));
        }
    }

    private void scriptToolUse(Upstream upstream) {
        if (upstream == Upstream.GEMINI) {
            ObjectNode call = FakeGeminiUpstream.functionCall("get_weather", String.join("", ARGUMENTS));
            ((ObjectNode) call.get("functionCall")).put("id", TOOL_ID);
            // Gemini finishes a turn that calls functions with STOP; the call itself makes it tool use.
            gemini.on(GEMINI_MODEL, FakeGeminiUpstream.answer(List.of(FakeGeminiUpstream.text(PREAMBLE), call),
                    "STOP"));
        } else {
            bedrock.on(BEDROCK_MODEL, FakeBedrockUpstream.answer(List.of(FakeBedrockUpstream.Block.text(PREAMBLE),
                    FakeBedrockUpstream.Block.toolUse(TOOL_ID, "get_weather", ARGUMENTS.toArray(String[]::new))),
                    "tool_use"));
        }
    }

    private void assertPromptReachedUpstream(Upstream upstream) throws IOException {
        if (upstream == Upstream.GEMINI) {
            JsonNode sent = gemini.lastBody();
            assertThat(sent.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
            assertThat(sent.at("/contents/0/role").asText()).isEqualTo("user");
            assertThat(sent.at("/contents/0/parts/0/text").asText()).isEqualTo("Tell me about the fox");
            assertThat(sent.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(100);
        } else {
            JsonNode sent = bedrock.lastBody();
            assertThat(sent.at("/system/0/text").asText()).isEqualTo("Be brief.");
            assertThat(sent.at("/messages/0/role").asText()).isEqualTo("user");
            assertThat(sent.at("/messages/0/content/0/text").asText()).isEqualTo("Tell me about the fox");
            assertThat(sent.at("/inferenceConfig/maxTokens").asInt()).isEqualTo(100);
        }
    }

    private void assertToolReachedUpstream(Upstream upstream) throws IOException {
        if (upstream == Upstream.GEMINI) {
            JsonNode declaration = gemini.lastBody().at("/tools/0/functionDeclarations/0");
            assertThat(declaration.path("name").asText()).isEqualTo("get_weather");
            assertThat(declaration.path("description").asText()).isEqualTo("Current weather in a city");
            assertThat(declaration.path("parameters")).isEqualTo(JSON.readTree(WEATHER_SCHEMA));
            assertThat(gemini.lastBody().at("/toolConfig/functionCallingConfig/mode").asText()).isEqualTo("AUTO");
        } else {
            JsonNode spec = bedrock.lastBody().at("/toolConfig/tools/0/toolSpec");
            assertThat(spec.path("name").asText()).isEqualTo("get_weather");
            assertThat(spec.path("description").asText()).isEqualTo("Current weather in a city");
            assertThat(spec.at("/inputSchema/json")).isEqualTo(JSON.readTree(WEATHER_SCHEMA));
        }
    }

    private void assertImageReachedUpstream(Upstream upstream) throws IOException {
        if (upstream == Upstream.GEMINI) {
            JsonNode parts = gemini.lastBody().at("/contents/0/parts");
            assertThat(parts).hasSize(2);
            assertThat(parts.at("/0/inlineData/mimeType").asText()).isEqualTo("image/png");
            assertThat(parts.at("/0/inlineData/data").asText()).isEqualTo(PIXEL);
            assertThat(parts.at("/1/text").asText()).isEqualTo("what is this?");
        } else {
            JsonNode content = bedrock.lastBody().at("/messages/0/content");
            assertThat(content).hasSize(2);
            assertThat(content.at("/0/image/format").asText()).isEqualTo("png");
            assertThat(content.at("/0/image/source/bytes").asText()).isEqualTo(PIXEL);
            assertThat(content.at("/1/text").asText()).isEqualTo("what is this?");
        }
    }

    private static void assertUsage(Upstream upstream, JsonNode usage) {
        assertThat(usage.path("input_tokens").asInt()).as(usage.toString()).isEqualTo(upstream.inputTokens);
        assertThat(usage.path("cache_read_input_tokens").asInt()).as(usage.toString())
                .isEqualTo(upstream.cacheReadTokens);
        assertThat(usage.path("cache_creation_input_tokens").asInt()).as(usage.toString())
                .isEqualTo(upstream.cacheCreationTokens);
        assertThat(usage.path("output_tokens").asInt()).as(usage.toString()).isEqualTo(upstream.outputTokens);
    }

    // Requests ------------------------------------------------------------------------------------------------------

    private static String textRequest(Upstream upstream, boolean stream) {
        return """
                {"model":"%s","max_tokens":100,"stream":%s,"system":"Be brief.",
                 "messages":[{"role":"user","content":"Tell me about the fox"}]}""".formatted(upstream.model, stream);
    }

    private static String toolRequest(Upstream upstream, boolean stream) {
        return """
                {"model":"%s","max_tokens":100,"stream":%s,"tools":[%s],"tool_choice":{"type":"auto"},
                 "messages":[{"role":"user","content":"weather in Oslo?"}]}"""
                .formatted(upstream.model, stream, WEATHER_TOOL);
    }

    private static String imageRequest(Upstream upstream, boolean stream) {
        return """
                {"model":"%s","max_tokens":50,"stream":%s,"messages":[{"role":"user","content":[
                  {"type":"image","source":{"type":"base64","media_type":"image/png","data":"%s"}},
                  {"type":"text","text":"what is this?"}]}]}""".formatted(upstream.model, stream, PIXEL);
    }

    // Helpers -------------------------------------------------------------------------------------------------------

    private HttpResponse<String> messages(String body) {
        return veil.send(anthropicRequest(body));
    }

    private HttpRequest anthropicRequest(String body) {
        return HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/v1/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("x-api-key", VeilUnderTest.MASTER_KEY)
                .header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private List<Event> stream(String body) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = veil.client().send(anthropicRequest(body),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        return AnthropicEvents.read(response.body());
    }

}
