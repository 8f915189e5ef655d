package dev.veil.server.providers.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.ConfigException;
import dev.veil.server.testing.FakeBedrockUpstream;
import dev.veil.server.testing.FakeBedrockUpstream.Block;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OpenAI surface in front of a Bedrock upstream: Converse translation both ways, ConverseStream's binary event
 * stream, SigV4 signatures the fake verifies, errors and failover.
 */
class BedrockAdapterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGION = "eu-central-1";
    private static final String ACCESS_KEY_ID = "AKIAVEILTEST0000EXMP";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYveilSECRET";
    private static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEveilSessionToken//////wEaCXVz";
    private static final String CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    private static final String HELLO = "[{\"role\":\"user\",\"content\":\"Hello Bedrock\"}]";

    private FakeBedrockUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeBedrockUpstream(REGION, ACCESS_KEY_ID, SECRET, SESSION_TOKEN);
        veil = VeilUnderTest.start(config("""
                    bedrock: {kind: bedrock, base-url: "%s", region: %s, aws-access-key-id: "%s",
                              aws-secret-access-key: "%s", aws-session-token: "%s"}
                    forged: {kind: bedrock, base-url: "%s", region: %s, aws-access-key-id: "%s",
                             aws-secret-access-key: "not-the-secret", aws-session-token: "%s"}
                """.formatted(upstream.baseUrl(), REGION, ACCESS_KEY_ID, SECRET, SESSION_TOKEN,
                upstream.baseUrl(), REGION, ACCESS_KEY_ID, SESSION_TOKEN) + """
                  models:
                    resilient: {targets: ["bedrock/throttled", "bedrock/%s"]}
                    resilient-stream: {targets: ["bedrock/throttled-stream", "bedrock/%s"]}
                """.formatted(CLAUDE, CLAUDE)));
    }

    private static String config(String providers) {
        return """
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                %s""".formatted(VeilUnderTest.MASTER_KEY, providers);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private static String chat(String model, String messages, String extra) {
        return "{\"model\":\"bedrock/" + model + "\",\"messages\":" + messages + extra + "}";
    }

    private JsonNode answer(String model, String messages, String extra) throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions", chat(model, messages, extra));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void answersWithTextAndUsageIncludingCacheTokens() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions", chat(CLAUDE, HELLO, ""));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("bedrock");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("id").asText()).contains(FakeBedrockUpstream.REQUEST_ID);
        assertThat(body.path("model").asText()).isEqualTo(CLAUDE);
        assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hello Bedrock");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        int prompt = FakeBedrockUpstream.INPUT_TOKENS + FakeBedrockUpstream.CACHE_READ_TOKENS
                + FakeBedrockUpstream.CACHE_WRITE_TOKENS;
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(prompt);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(FakeBedrockUpstream.OUTPUT_TOKENS);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(prompt + FakeBedrockUpstream.OUTPUT_TOKENS);
        assertThat(body.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                .isEqualTo(FakeBedrockUpstream.CACHE_READ_TOKENS);
    }

    @Test
    void signsTheRequestWithSigV4ForBedrockInTheRegionAndTheSessionToken() {
        veil.post("/v1/chat/completions", chat(CLAUDE, HELLO, ""));

        var received = upstream.lastReceived();
        assertThat(received.path()).isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse");
        assertThat(received.header("authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY_ID + "/")
                .contains("/" + REGION + "/bedrock/aws4_request")
                .contains("SignedHeaders=host;x-amz-date;x-amz-security-token");
        assertThat(received.header("x-amz-security-token")).isEqualTo(SESSION_TOKEN);
        assertThat(received.header("x-amz-date")).matches("\\d{8}T\\d{6}Z");
    }

    @Test
    void movesSystemMessagesToSystemBlocksMergesRolesAndFillsInferenceConfig() throws Exception {
        answer(CLAUDE, """
                [{"role":"system","content":"Be brief."},
                 {"role":"developer","content":"Answer in French."},
                 {"role":"user","content":"first"},
                 {"role":"user","content":"second"},
                 {"role":"assistant","content":"ok"},
                 {"role":"user","content":"third"}]""",
                ",\"stop\":[\"END\"],\"temperature\":0.2,\"top_p\":0.9,\"max_completion_tokens\":321");

        JsonNode sent = upstream.lastBody();
        assertThat(sent.at("/system/0/text").asText()).isEqualTo("Be brief.");
        assertThat(sent.at("/system/1/text").asText()).isEqualTo("Answer in French.");
        assertThat(sent.path("messages")).hasSize(3);
        assertThat(sent.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(sent.at("/messages/0/content/0/text").asText()).isEqualTo("first");
        assertThat(sent.at("/messages/0/content/1/text").asText()).isEqualTo("second");
        assertThat(sent.at("/messages/1/role").asText()).isEqualTo("assistant");
        assertThat(sent.at("/inferenceConfig/maxTokens").asInt()).isEqualTo(321);
        assertThat(sent.at("/inferenceConfig/temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.at("/inferenceConfig/topP").asDouble()).isEqualTo(0.9);
        assertThat(sent.at("/inferenceConfig/stopSequences/0").asText()).isEqualTo("END");
        assertThat(sent.has("model")).isFalse();
    }

    @Test
    void sendsInlineImagesAsBase64Bytes() throws Exception {
        answer(CLAUDE, """
                [{"role":"user","content":[{"type":"text","text":"What is this?"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]""", "");

        JsonNode image = upstream.lastBody().at("/messages/0/content/1/image");
        assertThat(image.path("format").asText()).isEqualTo("png");
        assertThat(image.at("/source/bytes").asText()).isEqualTo("iVBORw0KGgo=");
    }

    @Test
    void rejectsRemoteImageUrlsWhichConverseCannotFetch() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions", chat(CLAUDE, """
                [{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]""",
                ""));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).contains("inline").contains("cannot fetch image URLs");
        assertThat(error.path("param").asText()).isEqualTo("messages[0].content[0].image_url.url");
        assertThat(upstream.requests()).isZero();
    }

    @Test
    void translatesToolDefinitionsAndToolChoiceToToolConfig() throws Exception {
        answer(CLAUDE, HELLO, """
                ,"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city",
                  "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
                 "tool_choice":{"type":"function","function":{"name":"get_weather"}}""");

        JsonNode config = upstream.lastBody().path("toolConfig");
        JsonNode spec = config.at("/tools/0/toolSpec");
        assertThat(spec.path("name").asText()).isEqualTo("get_weather");
        assertThat(spec.path("description").asText()).isEqualTo("Weather by city");
        assertThat(spec.at("/inputSchema/json/properties/city/type").asText()).isEqualTo("string");
        assertThat(spec.at("/inputSchema/json/required/0").asText()).isEqualTo("city");
        assertThat(config.at("/toolChoice/tool/name").asText()).isEqualTo("get_weather");
    }

    @Test
    void mapsRequiredToolChoiceToAny() throws Exception {
        answer(CLAUDE, HELLO, """
                ,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
                 "tool_choice":"required\"""");

        assertThat(upstream.lastBody().at("/toolConfig/toolChoice/any").isObject()).isTrue();
    }

    @Test
    void leavesToolsOutWhenToolChoiceIsNone() throws Exception {
        answer(CLAUDE, HELLO, """
                ,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
                 "tool_choice":"none\"""");

        assertThat(upstream.lastBody().has("toolConfig")).isFalse();
    }

    @Test
    void turnsCacheControlMarkersIntoCachePoints() throws Exception {
        answer(CLAUDE, """
                [{"role":"system","content":[{"type":"text","text":"Long policy","cache_control":{"type":"ephemeral"}}]},
                 {"role":"user","content":"q"}]""", "");

        JsonNode system = upstream.lastBody().path("system");
        assertThat(system.at("/0/text").asText()).isEqualTo("Long policy");
        assertThat(system.at("/1/cachePoint/type").asText()).isEqualTo("default");
    }

    @Test
    void refusesArnModelIdsClearly() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions", chat(
                "arn:aws:bedrock:eu-central-1:123456789012:provisioned-model/abc", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("ARNs are not supported");
        assertThat(upstream.requests()).isZero();
    }

    @Test
    void returnsToolUseAsToolCalls() throws Exception {
        upstream.on("tools", FakeBedrockUpstream.answer(List.of(Block.text("Let me check."),
                Block.toolUse("tooluse_9", "get_weather", "{\"city\":", "\"Paris\"}")), "tool_use"));

        JsonNode body = answer("tools", HELLO, "");

        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Let me check.");
        JsonNode call = body.at("/choices/0/message/tool_calls/0");
        assertThat(call.path("id").asText()).isEqualTo("tooluse_9");
        assertThat(call.path("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.at("/function/arguments").asText()).path("city").asText()).isEqualTo("Paris");
    }

    @Test
    void sendsToolCallsAndToolResultsBackAsToolUseAndToolResultBlocks() throws Exception {
        answer(CLAUDE, """
                [{"role":"user","content":"Weather in Paris and Rome?"},
                 {"role":"assistant","content":null,"tool_calls":[
                   {"id":"tooluse_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                   {"id":"tooluse_2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
                 {"role":"tool","tool_call_id":"tooluse_1","content":"18C, sunny"},
                 {"role":"tool","tool_call_id":"tooluse_2","content":"24C, clear"}]""", """
                ,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]""");

        JsonNode messages = upstream.lastBody().path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.at("/1/role").asText()).isEqualTo("assistant");
        assertThat(messages.at("/1/content/0/toolUse/toolUseId").asText()).isEqualTo("tooluse_1");
        assertThat(messages.at("/1/content/0/toolUse/name").asText()).isEqualTo("get_weather");
        assertThat(messages.at("/1/content/0/toolUse/input/city").asText()).isEqualTo("Paris");
        assertThat(messages.at("/1/content/1/toolUse/input/city").asText()).isEqualTo("Rome");
        assertThat(messages.at("/2/role").asText()).isEqualTo("user");
        assertThat(messages.at("/2/content/0/toolResult/toolUseId").asText()).isEqualTo("tooluse_1");
        assertThat(messages.at("/2/content/0/toolResult/content/0/text").asText()).isEqualTo("18C, sunny");
        assertThat(messages.at("/2/content/1/toolResult/toolUseId").asText()).isEqualTo("tooluse_2");
    }

    @ParameterizedTest
    @CsvSource({"end_turn, stop", "stop_sequence, stop", "max_tokens, length", "tool_use, tool_calls",
            "guardrail_intervened, content_filter", "content_filtered, content_filter"})
    void mapsStopReasonsToFinishReasons(String stopReason, String finishReason) throws Exception {
        upstream.on("stopping", FakeBedrockUpstream.answer(List.of(Block.text("x")), stopReason));

        assertThat(answer("stopping", HELLO, "").at("/choices/0/finish_reason").asText()).isEqualTo(finishReason);
    }

    @Test
    void asksClaudeForAThinkingBudgetAndReturnsReasoningContent() throws Exception {
        upstream.on(CLAUDE, FakeBedrockUpstream.answer(List.of(Block.reasoning("sig-abc", "Let me ", "think."),
                Block.text("42")), "end_turn"));

        JsonNode body = answer(CLAUDE, HELLO, ",\"reasoning_effort\":\"medium\"");

        JsonNode sent = upstream.lastBody();
        assertThat(sent.at("/additionalModelRequestFields/thinking/type").asText()).isEqualTo("enabled");
        assertThat(sent.at("/additionalModelRequestFields/thinking/budget_tokens").asInt()).isEqualTo(2048);
        assertThat(sent.at("/inferenceConfig/maxTokens").asInt()).isGreaterThan(2048);
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("42");
        assertThat(body.at("/choices/0/message/reasoning_content").asText()).isEqualTo("Let me think.");
        assertThat(body.at("/choices/0/message/thinking_blocks/0/signature").asText()).isEqualTo("sig-abc");
    }

    @Test
    void sendsReturnedThinkingBlocksBackAsReasoningContentFirst() throws Exception {
        answer(CLAUDE, """
                [{"role":"user","content":"q"},
                 {"role":"assistant","content":"a","thinking_blocks":[{"type":"thinking","thinking":"hmm","signature":"s1"}]},
                 {"role":"user","content":"q2"}]""", "");

        JsonNode assistant = upstream.lastBody().at("/messages/1/content");
        assertThat(assistant.at("/0/reasoningContent/reasoningText/text").asText()).isEqualTo("hmm");
        assertThat(assistant.at("/0/reasoningContent/reasoningText/signature").asText()).isEqualTo("s1");
        assertThat(assistant.at("/1/text").asText()).isEqualTo("a");
    }

    @Test
    void passesAdditionalModelRequestFieldsThrough() throws Exception {
        answer(CLAUDE, HELLO, ",\"top_k\":40,\"additionalModelRequestFields\":{\"anthropic_beta\":[\"x-beta\"]}");

        JsonNode additional = upstream.lastBody().path("additionalModelRequestFields");
        assertThat(additional.path("top_k").asInt()).isEqualTo(40);
        assertThat(additional.at("/anthropic_beta/0").asText()).isEqualTo("x-beta");
    }

    @Test
    void streamsTextAsItArrivesEndingWithFinishUsageAndDone() throws Exception {
        upstream.on("streaming", FakeBedrockUpstream.answer(List.of(Block.text("The ", "quick ", "fox.")),
                "end_turn"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", chat("streaming", HELLO,
                ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"))) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            List<String> events = stream.rest();

            assertThat(upstream.lastReceived().path()).endsWith("/converse-stream");
            assertThat(events).last().isEqualTo("[DONE]");
            List<JsonNode> chunks = parse(events);
            assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
            assertThat(texts(chunks)).containsExactly("The ", "quick ", "fox.");
            JsonNode finish = chunks.get(chunks.size() - 2);
            assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            JsonNode usage = chunks.get(chunks.size() - 1);
            assertThat(usage.path("choices")).isEmpty();
            assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(FakeBedrockUpstream.OUTPUT_TOKENS);
            assertThat(usage.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                    .isEqualTo(FakeBedrockUpstream.CACHE_READ_TOKENS);
        }
    }

    @Test
    void reusesTheUpstreamConnectionAfterAFinishedStream() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", chat(CLAUDE, HELLO,
                    ",\"stream\":true"))) {
                assertThat(stream.rest()).last().isEqualTo("[DONE]");
            }
        }

        assertThat(upstream.requests()).isEqualTo(3);
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void streamsToolCallArgumentsIncrementally() throws Exception {
        upstream.on("tools", FakeBedrockUpstream.answer(List.of(Block.text("Checking."),
                Block.toolUse("tooluse_7", "get_weather", "{\"ci", "ty\": \"Pa", "ris\"}")), "tool_use"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                chat("tools", HELLO, ",\"stream\":true"))) {
            List<JsonNode> chunks = parse(stream.rest());

            List<JsonNode> calls = new ArrayList<>();
            chunks.forEach(c -> c.at("/choices/0/delta/tool_calls").forEach(calls::add));
            assertThat(calls.get(0).path("id").asText()).isEqualTo("tooluse_7");
            assertThat(calls.get(0).at("/function/name").asText()).isEqualTo("get_weather");
            assertThat(calls.subList(1, calls.size())).extracting(call -> call.at("/function/arguments").asText())
                    .containsExactly("{\"ci", "ty\": \"Pa", "ris\"}");
            assertThat(calls).allSatisfy(call -> assertThat(call.path("index").asInt()).isZero());
            assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        }
    }

    @Test
    void streamsReasoningContentAndItsSignature() throws Exception {
        upstream.on(CLAUDE, FakeBedrockUpstream.answer(List.of(Block.reasoning("sig-1", "Hmm, ", "yes."),
                Block.text("Yes.")), "end_turn"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                chat(CLAUDE, HELLO, ",\"stream\":true"))) {
            StringBuilder reasoning = new StringBuilder();
            StringBuilder content = new StringBuilder();
            List<String> signatures = new ArrayList<>();
            for (JsonNode chunk : parse(stream.rest())) {
                reasoning.append(chunk.at("/choices/0/delta/reasoning_content").asText(""));
                content.append(chunk.at("/choices/0/delta/content").asText(""));
                chunk.at("/choices/0/delta/thinking_blocks").forEach(b -> signatures.add(b.path("signature").asText()));
            }
            assertThat(reasoning.toString()).isEqualTo("Hmm, yes.");
            assertThat(content.toString()).isEqualTo("Yes.");
            assertThat(signatures).containsExactly("sig-1");
        }
    }

    @Test
    void endsTheStreamWithAnErrorEventOnAModelStreamErrorException() throws Exception {
        upstream.on("flaky", FakeBedrockUpstream.exceptionMidStream(List.of(Block.text("Partial ")),
                "modelStreamErrorException", "The model stream failed"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                chat("flaky", HELLO, ",\"stream\":true"))) {
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            assertThat(texts(parse(events.subList(0, events.size() - 1)))).containsExactly("Partial ");
            assertThat(JSON.readTree(events.get(events.size() - 1)).has("error")).isTrue();
        }
    }

    @Test
    void treatsAStreamCutOffBeforeMessageStopAsBroken() throws Exception {
        upstream.on("cut", FakeBedrockUpstream.truncated(List.of(Block.text("Partial "))));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", chat("cut", HELLO, ",\"stream\":true"))) {
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            assertThat(JSON.readTree(events.get(events.size() - 1)).has("error")).isTrue();
        }
    }

    @Test
    void passesThrottlingOnAsARetryable429() throws Exception {
        upstream.on("throttled", FakeBedrockUpstream.error(429, "ThrottlingException",
                "Too many requests, please wait before trying again."));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("throttled", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("upstream_rate_limited");
    }

    @Test
    void failsOverToTheNextTargetWhenBedrockThrottles() throws Exception {
        upstream.on("throttled", FakeBedrockUpstream.error(429, "ThrottlingException", "Too many requests"));

        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"resilient\",\"messages\":" + HELLO + "}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-model")).hasValue(CLAUDE);
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("2");
    }

    @Test
    void failsOverWhenAStreamStartsWithAThrottlingException() throws Exception {
        upstream.on("throttled-stream", FakeBedrockUpstream.exceptionFirst("throttlingException",
                "Too many requests"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                "{\"model\":\"resilient-stream\",\"stream\":true,\"messages\":" + HELLO + "}")) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.response().headers().firstValue("x-veil-model")).hasValue(CLAUDE);
            List<String> events = stream.rest();
            assertThat(events).last().isEqualTo("[DONE]");
            assertThat(String.join("", texts(parse(events)))).isEqualTo("Hello Bedrock");
        }
    }

    @Test
    void classifiesAnErrorByItsXAmznErrorTypeOverItsStatus() throws Exception {
        upstream.on("proxied", FakeBedrockUpstream.error(400, "ThrottlingException", "Rate exceeded"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("proxied", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("upstream_rate_limited");
    }

    @Test
    void passesAValidationExceptionOnAs400WhateverItsStatus() throws Exception {
        upstream.on("strict", FakeBedrockUpstream.error(500, "ValidationException", "Malformed input request"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("strict", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).isEqualTo("Malformed input request");
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("ValidationException");
    }

    @Test
    void treatsAModelErrorAsAProviderFailure() throws Exception {
        upstream.on("broken-model", FakeBedrockUpstream.error(424, "ModelErrorException",
                "The model failed to process the request"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("broken-model", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(502);
    }

    @Test
    void passesBedrocksValidationMessageOnAs400() throws Exception {
        upstream.on("picky", FakeBedrockUpstream.error(400, "ValidationException",
                "The model returned the following errors: input is too long for requested model."));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("picky", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText())
                .isEqualTo("The model returned the following errors: input is too long for requested model.");
    }

    @Test
    void rejectsConversationsConverseWouldRejectBeforeTranslationHidesIt() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions", chat(CLAUDE,
                "[{\"role\":\"assistant\",\"content\":\"I start\"}]", ""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText())
                .contains("must start with a user message");
    }

    @Test
    void answers502WithoutLeakingAnythingWhenTheSignatureDoesNotMatch() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"forged/" + CLAUDE + "\",\"messages\":" + HELLO + "}");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText())
                .isEqualTo("upstream_authentication_failed");
        assertThat(response.body()).doesNotContain(ACCESS_KEY_ID).doesNotContain(SECRET)
                .doesNotContain(SESSION_TOKEN).doesNotContain("Canonical").doesNotContain("signature we calculated")
                .doesNotContain("Hello Bedrock");
    }

    @Test
    void refusesEmbeddingsClearly() throws Exception {
        HttpResponse<String> response = veil.post("/v1/embeddings",
                "{\"model\":\"bedrock/amazon.titan-embed-text-v2:0\",\"input\":\"hi\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("Converse API only");
        assertThat(upstream.requests()).isZero();
    }

    @Test
    void refusesToStartWithoutARegion() {
        assertThatThrownBy(() -> VeilUnderTest.start(config("""
                    nowhere: {kind: bedrock, aws-access-key-id: "%s", aws-secret-access-key: "%s"}
                """.formatted(ACCESS_KEY_ID, SECRET))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.providers.nowhere.region")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void refusesToStartWithoutCredentials() {
        assertThatThrownBy(() -> VeilUnderTest.start(config("""
                    anonymous: {kind: bedrock, region: us-east-1, aws-access-key-id: "%s"}
                """.formatted(ACCESS_KEY_ID))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.providers.anonymous.aws-secret-access-key");
        assertThatThrownBy(() -> VeilUnderTest.start(config("""
                    anonymous: {kind: bedrock, region: us-east-1}
                """)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.providers.anonymous.aws-access-key-id");
    }

    private static List<String> texts(List<JsonNode> chunks) {
        List<String> texts = new ArrayList<>();
        chunks.forEach(c -> c.path("choices").forEach(choice -> {
            if (choice.at("/delta/content").isTextual() && !choice.at("/delta/content").asText().isEmpty()) {
                texts.add(choice.at("/delta/content").asText());
            }
        }));
        return texts;
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
