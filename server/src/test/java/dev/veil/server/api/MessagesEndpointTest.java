package dev.veil.server.api;

import static dev.veil.server.testing.AnthropicEvents.deltas;
import static dev.veil.server.testing.AnthropicEvents.names;
import static dev.veil.server.testing.AnthropicEvents.only;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.AnthropicEvents;
import dev.veil.server.testing.AnthropicEvents.Event;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeAnthropicUpstream.Block;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Anthropic surface ({@code POST /v1/messages}) through the real server, against a fake OpenAI upstream
 * ({@code gpt-4o}) and a fake Anthropic upstream ({@code claude-test}): text, tool use and images, streamed and not,
 * thinking, usage, and errors in Anthropic's shape.
 */
class MessagesEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPENAI = "gpt-4o";
    private static final String CLAUDE = "claude-test";
    private static final String WEATHER_TOOL = """
            {"name":"get_weather","description":"Current weather in a city",
             "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}""";
    private static final List<String> ARGUMENTS = List.of("{\"city\":", "\"Oslo\"}");
    private static final String PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    private FakeOpenAiUpstream openai;
    private FakeAnthropicUpstream anthropic;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        openai = new FakeOpenAiUpstream();
        anthropic = new FakeAnthropicUpstream();
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                    anthropic: {kind: anthropic, base-url: "%s", api-key: "sk-ant-upstream"}
                  models:
                    smart: {targets: ["anthropic/claude-test"]}
                """.formatted(VeilUnderTest.MASTER_KEY, openai.baseUrl(), anthropic.baseUrl()));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        openai.close();
        anthropic.close();
    }

    // Text ----------------------------------------------------------------------------------------------------------

    @Test
    void answersTextFromAnOpenAiUpstreamAsAnAnthropicMessage() throws Exception {
        HttpResponse<String> response = messages("""
                {"model":"gpt-4o","max_tokens":100,"system":"Be brief.",
                 "messages":[{"role":"user","content":"Hello from Claude land"}]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("openai");
        JsonNode message = JSON.readTree(response.body());
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        assertThat(message.path("id").asText()).startsWith("msg_");
        assertThat(message.path("content")).hasSize(1);
        assertThat(message.path("content").get(0).path("type").asText()).isEqualTo("text");
        assertThat(message.path("content").get(0).path("text").asText()).isEqualTo("Hello from Claude land");
        assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(message.path("usage").path("input_tokens").asInt()).isPositive();
        assertThat(message.path("usage").path("output_tokens").asInt()).isPositive();
        JsonNode sent = openai.lastReceived().body();
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.path("messages").get(1).path("role").asText()).isEqualTo("user");
        assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(100);
    }

    @Test
    void answersTextFromAnAnthropicUpstreamWithCacheUsageAndUnknownFieldsPassedThrough() throws Exception {
        HttpResponse<String> response = messages("""
                {"model":"claude-test","max_tokens":64,"top_k":5,"service_tier":"standard_only",
                 "metadata":{"user_id":"u-1"},
                 "system":[{"type":"text","text":"Long context","cache_control":{"type":"ephemeral"}}],
                 "messages":[{"role":"user","content":[{"type":"text","text":"Hi Claude",
                    "cache_control":{"type":"ephemeral","ttl":"1h"}}]}]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode message = JSON.readTree(response.body());
        assertThat(message.path("content").get(0).path("text").asText()).isEqualTo("Hi Claude");
        JsonNode usage = message.path("usage");
        assertThat(usage.path("input_tokens").asInt()).isEqualTo(FakeAnthropicUpstream.INPUT_TOKENS);
        assertThat(usage.path("cache_read_input_tokens").asInt()).isEqualTo(FakeAnthropicUpstream.CACHE_READ_TOKENS);
        assertThat(usage.path("cache_creation_input_tokens").asInt())
                .isEqualTo(FakeAnthropicUpstream.CACHE_CREATION_TOKENS);
        assertThat(usage.path("output_tokens").asInt()).isEqualTo(FakeAnthropicUpstream.OUTPUT_TOKENS);
        JsonNode sent = anthropic.lastBody();
        assertThat(sent.path("model").asText()).isEqualTo(CLAUDE);
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(sent.path("top_k").asInt()).isEqualTo(5);
        assertThat(sent.path("service_tier").asText()).isEqualTo("standard_only");
        assertThat(sent.path("metadata").path("user_id").asText()).isEqualTo("u-1");
        assertThat(sent.path("system").get(0).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
        assertThat(sent.path("messages").get(0).path("content").get(0).path("cache_control"))
                .isEqualTo(JSON.readTree("{\"type\":\"ephemeral\",\"ttl\":\"1h\"}"));
        assertThat(sent.has("x-veil-anthropic")).isFalse();
    }

    @Test
    void neverSendsTheAnthropicPassthroughToAnOpenAiUpstream() throws Exception {
        HttpResponse<String> response = messages("""
                {"model":"gpt-4o","max_tokens":10,"service_tier":"auto","container":"c-1",
                 "messages":[{"role":"user","content":"hi"}]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode sent = openai.lastReceived().body();
        assertThat(sent.has("x-veil-anthropic")).isFalse();
        assertThat(sent.has("container")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {OPENAI, CLAUDE})
    void streamsTextAsAnthropicEvents(String model) throws Exception {
        if (model.equals(OPENAI)) {
            openai.on(model, FakeOpenAiUpstream.answer(List.of("The ", "quick ", "fox"), Duration.ZERO));
        } else {
            anthropic.on(model, FakeAnthropicUpstream.answer(List.of(Block.text("The ", "quick ", "fox")),
                    "end_turn"));
        }

        List<Event> events = stream("""
                {"model":"%s","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"go"}]}"""
                .formatted(model));

        assertThat(events.get(0).name()).isEqualTo("message_start");
        assertThat(events.get(0).data().path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(events.get(events.size() - 1).name()).isEqualTo("message_stop");
        assertThat(names(events)).containsSubsequence("message_start", "content_block_start",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(deltas(events, "text_delta", "text")).isEqualTo("The quick fox");
        JsonNode delta = only(events, "message_delta");
        assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(delta.path("usage").path("output_tokens").asInt()).isPositive();
        // Translated streams repeat the input count at the end; Anthropic's own (relayed as is) give it at the start.
        JsonNode inputUsage = model.equals(OPENAI) ? delta.path("usage")
                : events.get(0).data().path("message").path("usage");
        assertThat(inputUsage.path("input_tokens").asInt()).isPositive();
        for (Event event : events) {
            assertThat(event.data().path("type").asText()).isEqualTo(event.name());
        }
    }

    // Tool use ------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {OPENAI, CLAUDE})
    void returnsToolUse(String model) throws Exception {
        toolUpstream(model);

        HttpResponse<String> response = messages(toolRequest(model, false));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode message = JSON.readTree(response.body());
        assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
        JsonNode use = message.path("content").get(message.path("content").size() - 1);
        assertThat(use.path("type").asText()).isEqualTo("tool_use");
        assertThat(use.path("id").asText()).isEqualTo("toolu_1");
        assertThat(use.path("name").asText()).isEqualTo("get_weather");
        assertThat(use.path("input")).isEqualTo(JSON.readTree("{\"city\":\"Oslo\"}"));
        assertToolReachedUpstream(model);
    }

    @ParameterizedTest
    @ValueSource(strings = {OPENAI, CLAUDE})
    void streamsToolUseInputAsJsonDeltas(String model) throws Exception {
        toolUpstream(model);

        List<Event> events = stream(toolRequest(model, true));

        JsonNode start = events.stream().filter(e -> e.name().equals("content_block_start"))
                .map(Event::data).filter(d -> d.path("content_block").path("type").asText().equals("tool_use"))
                .findFirst().orElseThrow();
        assertThat(start.path("content_block").path("id").asText()).isEqualTo("toolu_1");
        assertThat(start.path("content_block").path("name").asText()).isEqualTo("get_weather");
        assertThat(start.path("content_block").path("input")).isEqualTo(JSON.createObjectNode());
        assertThat(deltas(events, "input_json_delta", "partial_json")).isEqualTo(String.join("", ARGUMENTS));
        assertThat(only(events, "message_delta").path("delta").path("stop_reason").asText()).isEqualTo("tool_use");
        assertToolReachedUpstream(model);
    }

    @ParameterizedTest
    @ValueSource(strings = {OPENAI, CLAUDE})
    void sendsToolResultsBackInTheTargetsShape(String model) throws Exception {
        HttpResponse<String> response = messages("""
                {"model":"%s","max_tokens":50,"tools":[%s],"messages":[
                  {"role":"user","content":"weather in Oslo?"},
                  {"role":"assistant","content":[{"type":"text","text":"Let me check."},
                    {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"12 C"},
                    {"type":"text","text":"and tomorrow?"}]}]}""".formatted(model, WEATHER_TOOL));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        if (model.equals(OPENAI)) {
            JsonNode messages = openai.lastReceived().body().path("messages");
            assertThat(messages.get(1).path("tool_calls").get(0).path("id").asText()).isEqualTo("toolu_1");
            assertThat(messages.get(1).path("tool_calls").get(0).path("function").path("arguments").asText())
                    .isEqualTo("{\"city\":\"Oslo\"}");
            assertThat(messages.get(2).path("role").asText()).isEqualTo("tool");
            assertThat(messages.get(2).path("tool_call_id").asText()).isEqualTo("toolu_1");
            assertThat(messages.get(3).path("role").asText()).isEqualTo("user");
        } else {
            JsonNode messages = anthropic.lastBody().path("messages");
            assertThat(messages).hasSize(3);
            assertThat(messages.get(1).path("content").get(1).path("input"))
                    .isEqualTo(JSON.readTree("{\"city\":\"Oslo\"}"));
            JsonNode last = messages.get(2).path("content");
            assertThat(last.get(0).path("type").asText()).isEqualTo("tool_result");
            assertThat(last.get(0).path("tool_use_id").asText()).isEqualTo("toolu_1");
            assertThat(last.get(0).path("content").asText()).isEqualTo("12 C");
            assertThat(last.get(1).path("text").asText()).isEqualTo("and tomorrow?");
        }
    }

    // Images --------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void passesBase64AndUrlImagesToAnOpenAiUpstream(boolean stream) throws Exception {
        openai.on(OPENAI, FakeOpenAiUpstream.answer(List.of("what ", "is this?"), Duration.ZERO));
        String body = imageRequest(OPENAI, stream);
        if (stream) {
            assertThat(deltas(stream(body), "text_delta", "text")).isEqualTo("what is this?");
        } else {
            assertThat(messages(body).statusCode()).isEqualTo(200);
        }

        JsonNode content = openai.lastReceived().body().path("messages").get(0).path("content");
        assertThat(content.get(0).path("image_url").path("url").asText())
                .isEqualTo("data:image/png;base64," + PIXEL);
        assertThat(content.get(1).path("image_url").path("url").asText()).isEqualTo("https://example.com/cat.png");
        assertThat(content.get(2).path("text").asText()).isEqualTo("what is this?");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void passesBase64AndUrlImagesToAnAnthropicUpstreamUnchanged(boolean stream) throws Exception {
        String body = imageRequest(CLAUDE, stream);
        if (stream) {
            assertThat(deltas(stream(body), "text_delta", "text")).isEqualTo("what is this?");
        } else {
            assertThat(messages(body).statusCode()).isEqualTo(200);
        }

        JsonNode content = anthropic.lastBody().path("messages").get(0).path("content");
        assertThat(content.get(0)).isEqualTo(JSON.readTree("""
                {"type":"image","source":{"type":"base64","media_type":"image/png","data":"%s"}}""".formatted(PIXEL)));
        assertThat(content.get(1)).isEqualTo(JSON.readTree("""
                {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}}"""));
    }

    // Thinking ------------------------------------------------------------------------------------------------------

    @Test
    void keepsThinkingBlocksWithSignaturesOnAnAnthropicUpstream() throws Exception {
        anthropic.on(CLAUDE, FakeAnthropicUpstream.answer(List.of(Block.thinking("sig-1", "Hmm, ", "Oslo."),
                Block.text("It is ", "cold.")), "end_turn"));
        String request = """
                {"model":"claude-test","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":1024},%s
                 "messages":[{"role":"user","content":"weather?"}]}""";

        JsonNode message = JSON.readTree(messages(request.formatted("")).body());
        List<Event> events = stream(request.formatted("\"stream\":true,"));

        assertThat(anthropic.lastBody().path("thinking"))
                .isEqualTo(JSON.readTree("{\"type\":\"enabled\",\"budget_tokens\":1024}"));
        assertThat(message.path("content").get(0)).isEqualTo(JSON.readTree(
                "{\"type\":\"thinking\",\"thinking\":\"Hmm, Oslo.\",\"signature\":\"sig-1\"}"));
        assertThat(message.path("content").get(1).path("text").asText()).isEqualTo("It is cold.");
        assertThat(deltas(events, "thinking_delta", "thinking")).isEqualTo("Hmm, Oslo.");
        assertThat(deltas(events, "signature_delta", "signature")).isEqualTo("sig-1");
        assertThat(deltas(events, "text_delta", "text")).isEqualTo("It is cold.");
        List<Integer> thinkingIndexes = events.stream().filter(e -> e.name().equals("content_block_delta"))
                .filter(e -> e.data().path("delta").path("type").asText().matches("thinking_delta|signature_delta"))
                .map(e -> e.data().path("index").asInt()).distinct().toList();
        assertThat(thinkingIndexes).containsExactly(0);
    }

    @Test
    void sendsThinkingBlocksOfEarlierTurnsBackToAnAnthropicUpstreamVerbatim() throws Exception {
        HttpResponse<String> response = messages("""
                {"model":"claude-test","max_tokens":2000,"messages":[
                  {"role":"user","content":"weather?"},
                  {"role":"assistant","content":[{"type":"thinking","thinking":"Think.","signature":"sig-9"},
                    {"type":"redacted_thinking","data":"opaque"},{"type":"text","text":"Cold."}]},
                  {"role":"user","content":"thanks"}]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode assistant = anthropic.lastBody().path("messages").get(1).path("content");
        assertThat(assistant.get(0)).isEqualTo(JSON.readTree(
                "{\"type\":\"thinking\",\"thinking\":\"Think.\",\"signature\":\"sig-9\"}"));
        assertThat(assistant.get(1)).isEqualTo(JSON.readTree("{\"type\":\"redacted_thinking\",\"data\":\"opaque\"}"));
    }

    // Authentication ------------------------------------------------------------------------------------------------

    @Test
    void acceptsTheKeyAsXApiKeyOrBearer() {
        String body = "{\"model\":\"gpt-4o\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        HttpResponse<String> apiKey = veil.send(anthropicRequest(VeilUnderTest.MASTER_KEY, body));
        HttpResponse<String> bearer = veil.post("/v1/messages", body);

        assertThat(apiKey.statusCode()).isEqualTo(200);
        assertThat(bearer.statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-key", ""})
    void rejectsAWrongOrMissingKeyWithAnAnthropicAuthenticationError(String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create(veil.baseUrl() + "/v1/messages"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-4o\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        if (!key.isEmpty()) {
            request.header("x-api-key", key);
        }

        HttpResponse<String> response = veil.send(request.build());

        assertAnthropicError(response, 401, "authentication_error");
        assertThat(response.body()).doesNotContain(key.isEmpty() ? "\u0000" : key);
        assertThat(openai.received()).isEmpty();
    }

    // Errors --------------------------------------------------------------------------------------------------------

    @Test
    void answersAnUnknownModelWithNotFoundError() throws Exception {
        assertAnthropicError(messages("""
                {"model":"no-such-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""),
                404, "not_found_error");
    }

    @ParameterizedTest
    @MethodSource("malformedBodies")
    void rejectsMalformedBodiesWithInvalidRequestError(String body) throws Exception {
        HttpResponse<String> response = messages(body);

        assertAnthropicError(response, 400, "invalid_request_error");
        assertThat(openai.received()).isEmpty();
        assertThat(anthropic.requests()).isZero();
    }

    static Stream<String> malformedBodies() {
        String ok = "\"model\":\"gpt-4o\",\"max_tokens\":5";
        String user = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        return Stream.of(
                "",
                "not json",
                "[]",
                "\"a string\"",
                "{",
                "{\"model\":\"gpt-4o\",\"model\":\"gpt-4o\",\"max_tokens\":5," + user + "}",
                "{\"max_tokens\":5," + user + "}",
                "{\"model\":42,\"max_tokens\":5," + user + "}",
                "{\"model\":\"\",\"max_tokens\":5," + user + "}",
                "{\"model\":\"gpt-4o\"," + user + "}",
                "{\"model\":\"gpt-4o\",\"max_tokens\":0," + user + "}",
                "{\"model\":\"gpt-4o\",\"max_tokens\":\"5\"," + user + "}",
                "{\"model\":\"gpt-4o\",\"max_tokens\":1.5," + user + "}",
                "{" + ok + "}",
                "{" + ok + ",\"messages\":[]}",
                "{" + ok + ",\"messages\":{}}",
                "{" + ok + ",\"messages\":[\"hi\"]}",
                "{" + ok + ",\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]}",
                "{" + ok + ",\"messages\":[{\"role\":\"user\"}]}",
                "{" + ok + ",\"messages\":[{\"content\":\"hi\"}]}",
                "{" + ok + ",\"messages\":[{\"role\":\"user\",\"content\":42}]}",
                "{" + ok + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"no type\"}]}]}",
                "{" + ok + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}",
                "{" + ok + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\"}]}]}",
                "{" + ok + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":"
                        + "{\"type\":\"base64\",\"data\":\"AAAA\"}}]}]}",
                "{" + ok + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\"}]}]}",
                "{" + ok + ",\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\","
                        + "\"name\":\"f\",\"input\":\"{}\"}]}]}",
                "{" + ok + ",\"system\":42," + user + "}",
                "{" + ok + ",\"system\":[{\"type\":\"image\"}]," + user + "}",
                "{" + ok + ",\"temperature\":1.5," + user + "}",
                "{" + ok + ",\"temperature\":\"hot\"," + user + "}",
                "{" + ok + ",\"top_p\":-0.1," + user + "}",
                "{" + ok + ",\"top_k\":-1," + user + "}",
                "{" + ok + ",\"stream\":\"yes\"," + user + "}",
                "{" + ok + ",\"stop_sequences\":\"END\"," + user + "}",
                "{" + ok + ",\"stop_sequences\":[1]," + user + "}",
                "{" + ok + ",\"tools\":{}," + user + "}",
                "{" + ok + ",\"tools\":[{\"name\":\"f\"}]," + user + "}",
                "{" + ok + ",\"tools\":[{\"input_schema\":{}}]," + user + "}",
                "{" + ok + ",\"tool_choice\":\"auto\"," + user + "}",
                "{" + ok + ",\"tool_choice\":{\"type\":\"sometimes\"}," + user + "}",
                "{" + ok + ",\"tool_choice\":{\"type\":\"tool\"}," + user + "}",
                "{" + ok + ",\"metadata\":\"m\"," + user + "}",
                "{" + ok + ",\"metadata\":{\"user_id\":7}," + user + "}",
                "{" + ok + ",\"thinking\":true," + user + "}",
                "{" + ok + ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":\"many\"}," + user + "}");
    }

    @ParameterizedTest
    @ValueSource(strings = {OPENAI, CLAUDE})
    void passesAnUpstreamRateLimitOnWithRetryAfter(String model) throws Exception {
        if (model.equals(OPENAI)) {
            openai.on(model, FakeOpenAiUpstream.error(429, "rate_limit_exceeded", "slow down", "rate_limit_exceeded"));
        } else {
            anthropic.on(model, FakeAnthropicUpstream.error(429, "rate_limit_error", "slow down"));
        }

        HttpResponse<String> response = messages("""
                {"model":"%s","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""".formatted(model));

        assertAnthropicError(response, 429, "rate_limit_error");
        assertThat(response.headers().firstValue("retry-after")).hasValue(model.equals(OPENAI) ? "7" : "9");
    }

    @Test
    void passesAnAnthropicUpstreamsOwnInvalidRequestOnWithItsStatus() throws Exception {
        anthropic.on(CLAUDE, FakeAnthropicUpstream.error(400, "invalid_request_error", "prompt is too long"));

        HttpResponse<String> response = messages("""
                {"model":"claude-test","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");

        assertAnthropicError(response, 400, "invalid_request_error");
        assertThat(JSON.readTree(response.body()).path("error").path("message").asText())
                .isEqualTo("prompt is too long");
    }

    @Test
    void answersAnOverloadedAnthropicUpstreamWithOverloadedError() throws Exception {
        anthropic.on(CLAUDE, FakeAnthropicUpstream.error(529, "overloaded_error", "Overloaded"));

        HttpResponse<String> response = messages("""
                {"model":"claude-test","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");

        assertThat(response.statusCode()).isGreaterThanOrEqualTo(500);
        assertThat(JSON.readTree(response.body()).path("error").path("type").asText()).isEqualTo("overloaded_error");
    }

    @Test
    void endsAStreamThatFailsMidWayWithAnErrorEventAndNoMessageStop() throws Exception {
        anthropic.on(CLAUDE, FakeAnthropicUpstream.errorMidStream(List.of(Block.text("The ", "partial ")),
                "overloaded_error", "Overloaded"));

        List<Event> events = stream("""
                {"model":"claude-test","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"go"}]}""");

        assertThat(deltas(events, "text_delta", "text")).isEqualTo("The partial ");
        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("error");
        assertThat(last.data().path("type").asText()).isEqualTo("error");
        assertThat(last.data().path("error").path("type").asText()).isNotBlank();
        assertThat(names(events)).doesNotContain("message_stop");
    }

    @Test
    void answersOtherMethodsWith405InAnthropicShape() throws Exception {
        HttpResponse<String> response = veil.get("/v1/messages");

        assertAnthropicError(response, 405, "invalid_request_error");
    }

    // count_tokens --------------------------------------------------------------------------------------------------

    @Test
    void estimatesInputTokensForAnyTarget() throws Exception {
        HttpResponse<String> response = veil.send(anthropicRequest(VeilUnderTest.MASTER_KEY, """
                {"model":"gpt-4o","system":"Be brief.","messages":[{"role":"user","content":"%s"}]}"""
                .formatted("word ".repeat(400)), "/v1/messages/count_tokens"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-token-count")).hasValue("estimate");
        assertThat(JSON.readTree(response.body()).path("input_tokens").asInt()).isBetween(450, 600);
        assertThat(openai.received()).isEmpty();
        assertAnthropicError(veil.send(anthropicRequest(VeilUnderTest.MASTER_KEY, """
                {"model":"nope","messages":[{"role":"user","content":"hi"}]}""", "/v1/messages/count_tokens")),
                404, "not_found_error");
    }

    // Helpers -------------------------------------------------------------------------------------------------------

    private HttpResponse<String> messages(String body) {
        return veil.send(anthropicRequest(VeilUnderTest.MASTER_KEY, body));
    }

    private HttpRequest anthropicRequest(String key, String body) {
        return anthropicRequest(key, body, "/v1/messages");
    }

    private HttpRequest anthropicRequest(String key, String body, String path) {
        return HttpRequest.newBuilder(java.net.URI.create(veil.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("x-api-key", key)
                .header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private List<Event> stream(String body) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = veil.client().send(anthropicRequest(VeilUnderTest.MASTER_KEY, body),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        return AnthropicEvents.read(response.body());
    }

    private void toolUpstream(String model) {
        if (model.equals(OPENAI)) {
            openai.on(model, FakeOpenAiUpstream.toolCall("toolu_1", "get_weather", ARGUMENTS));
        } else {
            anthropic.on(model, FakeAnthropicUpstream.answer(List.of(Block.text("Checking."),
                    Block.toolUse("toolu_1", "get_weather", ARGUMENTS.toArray(String[]::new))), "tool_use"));
        }
    }

    private static String toolRequest(String model, boolean stream) {
        return """
                {"model":"%s","max_tokens":100,"stream":%s,"tools":[%s],"tool_choice":{"type":"auto"},
                 "messages":[{"role":"user","content":"weather in Oslo?"}]}""".formatted(model, stream, WEATHER_TOOL);
    }

    private void assertToolReachedUpstream(String model) throws Exception {
        if (model.equals(OPENAI)) {
            JsonNode tool = openai.lastReceived().body().path("tools").get(0);
            assertThat(tool.path("type").asText()).isEqualTo("function");
            assertThat(tool.path("function").path("name").asText()).isEqualTo("get_weather");
            assertThat(tool.path("function").path("parameters"))
                    .isEqualTo(JSON.readTree(WEATHER_TOOL).path("input_schema"));
        } else {
            assertThat(anthropic.lastBody().path("tools").get(0)).isEqualTo(JSON.readTree(WEATHER_TOOL));
            assertThat(anthropic.lastBody().path("tool_choice")).isEqualTo(JSON.readTree("{\"type\":\"auto\"}"));
        }
    }

    private static String imageRequest(String model, boolean stream) {
        return """
                {"model":"%s","max_tokens":50,"stream":%s,"messages":[{"role":"user","content":[
                  {"type":"image","source":{"type":"base64","media_type":"image/png","data":"%s"}},
                  {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},
                  {"type":"text","text":"what is this?"}]}]}""".formatted(model, stream, PIXEL);
    }

    private static void assertAnthropicError(HttpResponse<String> response, int status, String type)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).as(response.body()).isEqualTo(type);
        assertThat(body.path("error").path("message").asText()).isNotBlank();
        assertThat(response.headers().firstValue("x-veil-request-id")).isPresent();
    }
}
