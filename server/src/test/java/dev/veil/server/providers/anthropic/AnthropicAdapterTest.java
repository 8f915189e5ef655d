package dev.veil.server.providers.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.codec.anthropic.AnthropicWire;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeAnthropicUpstream.Block;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI surface in front of an Anthropic upstream: translation both ways, streaming, errors. */
class AnthropicAdapterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-ant-upstream-secret-5678";

    private FakeAnthropicUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeAnthropicUpstream();
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    claude: {kind: anthropic, base-url: "%s", api-key: "%s",
                             anthropic-beta: "prompt-caching-2024-07-31"}
                  models:
                    resilient: {targets: ["claude/claude-overloaded", "claude/claude-ok"]}
                """.formatted(VeilUnderTest.MASTER_KEY, upstream.baseUrl(), KEY));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private static String chat(String model, String messages, String extra) {
        return "{\"model\":\"" + model + "\",\"messages\":" + messages + extra + "}";
    }

    private static final String HELLO = "[{\"role\":\"user\",\"content\":\"Hello Claude\"}]";

    @Test
    void answersWithTextUsageAndCacheTokensThroughTheOpenAiSurface() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("claude-sonnet-4", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("claude");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hello Claude");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4-20250101");
        int prompt = FakeAnthropicUpstream.INPUT_TOKENS + FakeAnthropicUpstream.CACHE_READ_TOKENS
                + FakeAnthropicUpstream.CACHE_CREATION_TOKENS;
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(prompt);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(FakeAnthropicUpstream.OUTPUT_TOKENS);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(prompt + FakeAnthropicUpstream.OUTPUT_TOKENS);
        assertThat(body.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                .isEqualTo(FakeAnthropicUpstream.CACHE_READ_TOKENS);
    }

    @Test
    void sendsTheKeyVersionAndBetaHeadersToMessages() {
        veil.post("/v1/chat/completions", chat("claude-sonnet-4", HELLO, ""));

        var received = upstream.lastReceived();
        assertThat(received.path()).isEqualTo("/v1/messages");
        assertThat(received.header("x-api-key")).isEqualTo(KEY);
        assertThat(received.header("authorization")).isNull();
        assertThat(received.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(received.header("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");
    }

    @Test
    void aJsonSchemaResponseFormatBecomesAnthropicsStructuredOutput() throws Exception {
        veil.post("/v1/chat/completions", chat("claude-sonnet-4", "[{\"role\":\"user\",\"content\":\"hi\"}]",
                ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\",\"schema\":"
                        + "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},"
                        + "\"additionalProperties\":false}}}"));

        JsonNode format = upstream.lastBody().at("/output_config/format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.at("/schema/properties/n/type").asText()).isEqualTo("integer");
    }

    @Test
    void movesSystemMessagesToSystemMergesRolesAndSuppliesMaxTokens() throws Exception {
        veil.post("/v1/chat/completions", chat("claude-sonnet-4", """
                [{"role":"system","content":"Be brief."},
                 {"role":"developer","content":[{"type":"text","text":"Long policy","cache_control":{"type":"ephemeral"}}]},
                 {"role":"user","content":"first"},
                 {"role":"user","content":"second"},
                 {"role":"assistant","content":"ok"},
                 {"role":"user","content":"third"}]""", ",\"stop\":[\"END\"],\"temperature\":0.2,\"user\":\"u-1\""));

        JsonNode sent = upstream.lastBody();
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(AnthropicWire.DEFAULT_MAX_TOKENS);
        assertThat(sent.at("/system/0/text").asText()).isEqualTo("Be brief.");
        assertThat(sent.at("/system/1/text").asText()).isEqualTo("Long policy");
        assertThat(sent.at("/system/1/cache_control/type").asText()).isEqualTo("ephemeral");
        assertThat(sent.path("messages")).hasSize(3);
        assertThat(sent.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(sent.at("/messages/0/content/0/text").asText()).isEqualTo("first");
        assertThat(sent.at("/messages/0/content/1/text").asText()).isEqualTo("second");
        assertThat(sent.at("/messages/1/role").asText()).isEqualTo("assistant");
        assertThat(sent.at("/stop_sequences/0").asText()).isEqualTo("END");
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.at("/metadata/user_id").asText()).isEqualTo("u-1");
        assertThat(sent.has("stream")).isFalse();
    }

    @Test
    void passesTheClientsOutputLimitAsMaxTokens() throws Exception {
        veil.post("/v1/chat/completions", chat("claude-sonnet-4", HELLO, ",\"max_completion_tokens\":321"));

        assertThat(upstream.lastBody().path("max_tokens").asInt()).isEqualTo(321);
    }

    @Test
    void sendsImagesByUrlAndInlineBase64() throws Exception {
        veil.post("/v1/chat/completions", chat("claude-sonnet-4", """
                [{"role":"user","content":[{"type":"text","text":"What is this?"},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]""", ""));

        JsonNode content = upstream.lastBody().at("/messages/0/content");
        assertThat(content.at("/1/type").asText()).isEqualTo("image");
        assertThat(content.at("/1/source/type").asText()).isEqualTo("url");
        assertThat(content.at("/1/source/url").asText()).isEqualTo("https://example.com/cat.png");
        assertThat(content.at("/2/source/type").asText()).isEqualTo("base64");
        assertThat(content.at("/2/source/media_type").asText()).isEqualTo("image/png");
        assertThat(content.at("/2/source/data").asText()).isEqualTo("iVBORw0KGgo=");
    }

    @Test
    void translatesToolsToolChoiceCallsAndResults() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("claude-sonnet-4", """
                [{"role":"user","content":"Weather in Paris?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"toolu_01","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                 {"role":"tool","tool_call_id":"toolu_01","content":"18C, sunny"}]""", """
                ,"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city",
                  "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
                 "tool_choice":{"type":"function","function":{"name":"get_weather"}},
                 "parallel_tool_calls":false"""));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode sent = upstream.lastBody();
        assertThat(sent.at("/tools/0/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/tools/0/description").asText()).isEqualTo("Weather by city");
        assertThat(sent.at("/tools/0/input_schema/properties/city/type").asText()).isEqualTo("string");
        assertThat(sent.at("/tool_choice/type").asText()).isEqualTo("tool");
        assertThat(sent.at("/tool_choice/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/tool_choice/disable_parallel_tool_use").asBoolean()).isTrue();
        assertThat(sent.at("/messages/1/content/0/type").asText()).isEqualTo("tool_use");
        assertThat(sent.at("/messages/1/content/0/id").asText()).isEqualTo("toolu_01");
        assertThat(sent.at("/messages/1/content/0/input/city").asText()).isEqualTo("Paris");
        assertThat(sent.at("/messages/2/role").asText()).isEqualTo("user");
        assertThat(sent.at("/messages/2/content/0/type").asText()).isEqualTo("tool_result");
        assertThat(sent.at("/messages/2/content/0/tool_use_id").asText()).isEqualTo("toolu_01");
        assertThat(sent.at("/messages/2/content/0/content").asText()).isEqualTo("18C, sunny");
    }

    @Test
    void mapsRequiredToolChoiceToAny() throws Exception {
        veil.post("/v1/chat/completions", chat("claude-sonnet-4", HELLO, """
                ,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
                 "tool_choice":"required\""""));

        assertThat(upstream.lastBody().at("/tool_choice/type").asText()).isEqualTo("any");
    }

    @Test
    void returnsToolUseAsToolCalls() throws Exception {
        upstream.on("claude-tools", FakeAnthropicUpstream.answer(List.of(Block.text("Let me check."),
                Block.toolUse("toolu_9", "get_weather", "{\"city\":", "\"Paris\"}")), "tool_use"));

        JsonNode body = JSON.readTree(veil.post("/v1/chat/completions", chat("claude-tools", HELLO, "")).body());

        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Let me check.");
        JsonNode call = body.at("/choices/0/message/tool_calls/0");
        assertThat(call.path("id").asText()).isEqualTo("toolu_9");
        assertThat(call.path("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.at("/function/arguments").asText()).path("city").asText()).isEqualTo("Paris");
    }

    @Test
    void mapsStopReasonsToFinishReasons() throws Exception {
        upstream.on("claude-long", FakeAnthropicUpstream.answer(List.of(Block.text("cut")), "max_tokens"));
        upstream.on("claude-stopseq", FakeAnthropicUpstream.answer(List.of(Block.text("x")), "stop_sequence"));

        assertThat(JSON.readTree(veil.post("/v1/chat/completions", chat("claude-long", HELLO, "")).body())
                .at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(JSON.readTree(veil.post("/v1/chat/completions", chat("claude-stopseq", HELLO, "")).body())
                .at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void asksForAThinkingBudgetAndReturnsThinkingAsReasoningContent() throws Exception {
        upstream.on("claude-think", FakeAnthropicUpstream.answer(List.of(Block.thinking("sig-abc", "Let me ", "think."),
                Block.text("42")), "end_turn"));

        JsonNode body = JSON.readTree(veil.post("/v1/chat/completions",
                chat("claude-think", HELLO, ",\"reasoning_effort\":\"medium\"")).body());

        JsonNode sent = upstream.lastBody();
        assertThat(sent.at("/thinking/type").asText()).isEqualTo("enabled");
        assertThat(sent.at("/thinking/budget_tokens").asInt()).isEqualTo(2048);
        assertThat(sent.path("max_tokens").asInt()).isGreaterThan(2048);
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("42");
        assertThat(body.at("/choices/0/message/reasoning_content").asText()).isEqualTo("Let me think.");
        assertThat(body.at("/choices/0/message/thinking_blocks/0/signature").asText()).isEqualTo("sig-abc");
    }

    @Test
    void sendsReturnedThinkingBlocksBackAsThinkingBlocks() throws Exception {
        veil.post("/v1/chat/completions", chat("claude-sonnet-4", """
                [{"role":"user","content":"q"},
                 {"role":"assistant","content":"a","thinking_blocks":[{"type":"thinking","thinking":"hmm","signature":"s1"}]},
                 {"role":"user","content":"q2"}]""", ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1500}"));

        JsonNode sent = upstream.lastBody();
        assertThat(sent.at("/thinking/budget_tokens").asInt()).isEqualTo(1500);
        assertThat(sent.at("/messages/1/content/0/type").asText()).isEqualTo("thinking");
        assertThat(sent.at("/messages/1/content/0/signature").asText()).isEqualTo("s1");
        assertThat(sent.at("/messages/1/content/1/text").asText()).isEqualTo("a");
    }

    @Test
    void streamsTextAsItArrivesEndingWithFinishUsageAndDone() throws Exception {
        upstream.on("claude-stream", FakeAnthropicUpstream.answer(List.of(Block.text("The ", "quick ", "fox.")),
                "end_turn"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", chat("claude-stream", HELLO,
                ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"))) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            List<String> events = stream.rest();

            assertThat(upstream.lastBody().path("stream").asBoolean()).isTrue();
            assertThat(events).last().isEqualTo("[DONE]");
            List<JsonNode> chunks = parse(events);
            assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
            List<String> texts = new ArrayList<>();
            chunks.forEach(c -> c.path("choices").forEach(choice -> {
                if (choice.at("/delta/content").isTextual() && !choice.at("/delta/content").asText().isEmpty()) {
                    texts.add(choice.at("/delta/content").asText());
                }
            }));
            assertThat(texts).containsExactly("The ", "quick ", "fox.");
            JsonNode finish = chunks.get(chunks.size() - 2);
            assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            JsonNode usage = chunks.get(chunks.size() - 1);
            assertThat(usage.path("choices")).isEmpty();
            assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(FakeAnthropicUpstream.OUTPUT_TOKENS);
            assertThat(usage.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                    .isEqualTo(FakeAnthropicUpstream.CACHE_READ_TOKENS);
            assertThat(chunks).allSatisfy(c -> assertThat(c.path("id").asText()).isEqualTo("msg_fake01"));
        }
    }

    @Test
    void streamsToolCallArgumentsIncrementally() throws Exception {
        upstream.on("claude-tools", FakeAnthropicUpstream.answer(List.of(
                Block.toolUse("toolu_7", "get_weather", "{\"ci", "ty\": \"Pa", "ris\"}")), "tool_use"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                chat("claude-tools", HELLO, ",\"stream\":true"))) {
            List<JsonNode> chunks = parse(stream.rest());

            List<JsonNode> calls = new ArrayList<>();
            chunks.forEach(c -> c.at("/choices/0/delta/tool_calls").forEach(calls::add));
            assertThat(calls.get(0).path("id").asText()).isEqualTo("toolu_7");
            assertThat(calls.get(0).at("/function/name").asText()).isEqualTo("get_weather");
            assertThat(calls.subList(1, calls.size())).extracting(call -> call.at("/function/arguments").asText())
                    .containsExactly("{\"ci", "ty\": \"Pa", "ris\"}");
            assertThat(calls).allSatisfy(call -> assertThat(call.path("index").asInt()).isZero());
            assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        }
    }

    @Test
    void streamsThinkingAsReasoningContent() throws Exception {
        upstream.on("claude-think", FakeAnthropicUpstream.answer(List.of(Block.thinking("sig-1", "Hmm, ", "yes."),
                Block.text("Yes.")), "end_turn"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                chat("claude-think", HELLO, ",\"stream\":true"))) {
            StringBuilder reasoning = new StringBuilder();
            StringBuilder content = new StringBuilder();
            for (JsonNode chunk : parse(stream.rest())) {
                reasoning.append(chunk.at("/choices/0/delta/reasoning_content").asText(""));
                content.append(chunk.at("/choices/0/delta/content").asText(""));
            }
            assertThat(reasoning.toString()).isEqualTo("Hmm, yes.");
            assertThat(content.toString()).isEqualTo("Yes.");
        }
    }

    @Test
    void endsTheStreamWithAnErrorEventWhenAnthropicReportsOneMidStream() throws Exception {
        upstream.on("claude-flaky", FakeAnthropicUpstream.errorMidStream(List.of(Block.text("Partial ")),
                "overloaded_error", "Overloaded"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                chat("claude-flaky", HELLO, ",\"stream\":true"))) {
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            assertThat(JSON.readTree(events.get(events.size() - 1)).has("error")).isTrue();
        }
    }

    @Test
    void treatsAStreamCutOffBeforeMessageStopAsBroken() throws Exception {
        upstream.on("claude-cut", FakeAnthropicUpstream.truncated(List.of(Block.text("Partial "))));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                chat("claude-cut", HELLO, ",\"stream\":true"))) {
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            assertThat(JSON.readTree(events.get(events.size() - 1)).has("error")).isTrue();
        }
    }

    @Test
    void failsOverWhenAnthropicIsOverloaded() throws Exception {
        upstream.on("claude-overloaded", FakeAnthropicUpstream.error(529, "overloaded_error", "Overloaded"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("resilient", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-model")).hasValueSatisfying(model ->
                assertThat(model).startsWith("claude-ok"));
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("2");
    }

    @Test
    void answers502WhenAnthropicIsOverloadedAndNoOtherCandidateIsLeft() throws Exception {
        upstream.on("claude-overloaded", FakeAnthropicUpstream.error(529, "overloaded_error", "Overloaded"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("claude-overloaded", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("529");
    }

    @Test
    void passesRateLimitsOnWithRetryAfter() throws Exception {
        upstream.on("claude-busy", FakeAnthropicUpstream.error(429, "rate_limit_error", "Number of requests exceeded"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("claude-busy", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).hasValue("9");
    }

    @Test
    void passesAnthropicsOwnRejectionOnWithItsMessage() throws Exception {
        upstream.on("claude-picky", FakeAnthropicUpstream.error(400, "invalid_request_error",
                "messages.0.content: image too large"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("claude-picky", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).isEqualTo("messages.0.content: image too large");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void neverQuotesTheProviderKeyWhenAnthropicRejectsIt() throws Exception {
        upstream.on("claude-denied", FakeAnthropicUpstream.error(401, "authentication_error",
                "invalid x-api-key " + KEY));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("claude-denied", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).doesNotContain(KEY);
    }

    @Test
    void refusesEmbeddingsClearly() throws Exception {
        HttpResponse<String> response = veil.post("/v1/embeddings",
                "{\"model\":\"claude/claude-sonnet-4\",\"input\":\"hi\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText())
                .contains("does not offer embeddings");
        assertThat(upstream.requests()).isZero();
    }

    private static List<JsonNode> parse(List<String> events) throws Exception {
        List<JsonNode> chunks = new ArrayList<>();
        for (String event : events) {
            if (!event.equals("[DONE]")) {
                chunks.add(JSON.readTree(event));
            }
        }
        return chunks;
    }
}
