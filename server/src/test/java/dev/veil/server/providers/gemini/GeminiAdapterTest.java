package dev.veil.server.providers.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeGeminiUpstream;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI surface in front of a Gemini upstream: translation both ways, streaming, embeddings, errors. */
class GeminiAdapterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "AIza-upstream-secret-9012";
    private static final String HELLO = "[{\"role\":\"user\",\"content\":\"Hello Gemini\"}]";

    private FakeGeminiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeGeminiUpstream();
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    google: {kind: gemini, base-url: "%s", api-key: "%s"}
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

    @Test
    void answersWithTextAndUsageThroughTheOpenAiSurface() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("gemini-2.5-flash", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("google");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hello Gemini");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(FakeGeminiUpstream.PROMPT_TOKENS);
        assertThat(body.at("/usage/completion_tokens").asInt())
                .isEqualTo(FakeGeminiUpstream.CANDIDATE_TOKENS + FakeGeminiUpstream.THOUGHT_TOKENS);
        assertThat(body.at("/usage/completion_tokens_details/reasoning_tokens").asInt())
                .isEqualTo(FakeGeminiUpstream.THOUGHT_TOKENS);
        assertThat(body.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                .isEqualTo(FakeGeminiUpstream.CACHED_TOKENS);
        var received = upstream.lastReceived();
        assertThat(received.path()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(received.header("x-goog-api-key")).isEqualTo(KEY);
        assertThat(received.target()).doesNotContain(KEY);
    }

    @Test
    void translatesSystemRolesImagesSamplingAndJsonMode() throws Exception {
        veil.post("/v1/chat/completions", chat("gemini-2.5-flash", """
                [{"role":"system","content":"Be brief."},
                 {"role":"user","content":"first"},
                 {"role":"assistant","content":"ok"},
                 {"role":"user","content":[{"type":"text","text":"What is this?"},
                   {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                   {"type":"image_url","image_url":{"url":"https://example.com/cat.webp"}}]}]""", """
                ,"temperature":0.3,"max_tokens":99,"stop":["END"],"seed":7,
                 "response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":
                   {"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}}}"""));

        JsonNode sent = upstream.lastBody();
        assertThat(sent.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
        assertThat(sent.path("contents")).hasSize(3);
        assertThat(sent.at("/contents/1/role").asText()).isEqualTo("model");
        assertThat(sent.at("/contents/2/parts/1/inlineData/mimeType").asText()).isEqualTo("image/png");
        assertThat(sent.at("/contents/2/parts/1/inlineData/data").asText()).isEqualTo("iVBORw0KGgo=");
        assertThat(sent.at("/contents/2/parts/2/fileData/fileUri").asText()).isEqualTo("https://example.com/cat.webp");
        assertThat(sent.at("/contents/2/parts/2/fileData/mimeType").asText()).isEqualTo("image/webp");
        JsonNode config = sent.path("generationConfig");
        assertThat(config.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(config.path("maxOutputTokens").asInt()).isEqualTo(99);
        assertThat(config.at("/stopSequences/0").asText()).isEqualTo("END");
        assertThat(config.path("seed").asInt()).isEqualTo(7);
        assertThat(config.path("responseMimeType").asText()).isEqualTo("application/json");
        assertThat(config.at("/responseSchema/properties/a/type").asText()).isEqualTo("string");
        assertThat(config.path("responseSchema").has("additionalProperties")).isFalse();
    }

    @Test
    void translatesToolsChoiceCallsAndResults() throws Exception {
        veil.post("/v1/chat/completions", chat("gemini-2.5-flash", """
                [{"role":"user","content":"Weather in Paris?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"{\\"temp\\":18}"}]""", """
                ,"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
                  "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
                 "tool_choice":"required\""""));

        JsonNode sent = upstream.lastBody();
        assertThat(sent.at("/tools/0/functionDeclarations/0/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/tools/0/functionDeclarations/0/parameters/properties/city/type").asText())
                .isEqualTo("string");
        assertThat(sent.at("/toolConfig/functionCallingConfig/mode").asText()).isEqualTo("ANY");
        assertThat(sent.at("/contents/1/parts/0/functionCall/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/contents/1/parts/0/functionCall/args/city").asText()).isEqualTo("Paris");
        assertThat(sent.at("/contents/2/role").asText()).isEqualTo("user");
        assertThat(sent.at("/contents/2/parts/0/functionResponse/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/contents/2/parts/0/functionResponse/response/temp").asInt()).isEqualTo(18);
    }

    @Test
    void returnsFunctionCallsAsToolCalls() throws Exception {
        upstream.on("gemini-tools", FakeGeminiUpstream.answer(List.of(
                FakeGeminiUpstream.functionCall("get_weather", "{\"city\":\"Paris\"}")), "STOP"));

        JsonNode body = JSON.readTree(veil.post("/v1/chat/completions", chat("gemini-tools", HELLO, "")).body());

        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode call = body.at("/choices/0/message/tool_calls/0");
        assertThat(call.path("id").asText()).isNotEmpty();
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.at("/function/arguments").asText()).path("city").asText()).isEqualTo("Paris");
    }

    @Test
    void mapsSafetyBlocksToContentFilterAndMaxTokensToLength() throws Exception {
        upstream.on("gemini-unsafe", FakeGeminiUpstream.answer(List.of(FakeGeminiUpstream.text("")), "SAFETY"));
        upstream.on("gemini-long", FakeGeminiUpstream.answer(List.of(FakeGeminiUpstream.text("cut")), "MAX_TOKENS"));
        upstream.on("gemini-blocked", FakeGeminiUpstream.promptBlocked());

        for (var expected : List.of(List.of("gemini-unsafe", "content_filter"), List.of("gemini-long", "length"),
                List.of("gemini-blocked", "content_filter"))) {
            JsonNode body = JSON.readTree(veil.post("/v1/chat/completions", chat(expected.get(0), HELLO, "")).body());
            assertThat(body.at("/choices/0/finish_reason").asText()).as(expected.get(0)).isEqualTo(expected.get(1));
        }
    }

    @Test
    void asksForThoughtsAndReturnsThemAsReasoningContent() throws Exception {
        upstream.on("gemini-think", FakeGeminiUpstream.answer(List.of(FakeGeminiUpstream.thought("Considering."),
                FakeGeminiUpstream.text("42")), "STOP"));

        JsonNode body = JSON.readTree(veil.post("/v1/chat/completions",
                chat("gemini-think", HELLO, ",\"reasoning_effort\":\"high\"")).body());

        assertThat(upstream.lastBody().at("/generationConfig/thinkingConfig/thinkingBudget").asInt()).isEqualTo(4096);
        assertThat(upstream.lastBody().at("/generationConfig/thinkingConfig/includeThoughts").asBoolean()).isTrue();
        assertThat(body.at("/choices/0/message/reasoning_content").asText()).isEqualTo("Considering.");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("42");
    }

    @Test
    void streamsEachEventAsItArrivesWithFinishAndUsage() throws Exception {
        upstream.on("gemini-stream", FakeGeminiUpstream.answer(List.of(FakeGeminiUpstream.thought("Hmm."),
                FakeGeminiUpstream.text("The "), FakeGeminiUpstream.text("fox.")), "STOP"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", chat("gemini-stream", HELLO,
                ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"))) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            List<String> events = stream.rest();

            assertThat(upstream.lastReceived().path()).isEqualTo("/v1beta/models/gemini-stream:streamGenerateContent");
            assertThat(upstream.lastReceived().query()).isEqualTo("alt=sse");
            assertThat(events).last().isEqualTo("[DONE]");
            List<JsonNode> chunks = parse(events);
            assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
            assertThat(chunks.get(0).at("/choices/0/delta/reasoning_content").asText()).isEqualTo("Hmm.");
            assertThat(chunks.get(1).at("/choices/0/delta/content").asText()).isEqualTo("The ");
            assertThat(chunks.get(2).at("/choices/0/delta/content").asText()).isEqualTo("fox.");
            assertThat(chunks.get(2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            JsonNode usage = chunks.get(3);
            assertThat(usage.path("choices")).isEmpty();
            assertThat(usage.at("/usage/prompt_tokens").asInt()).isEqualTo(FakeGeminiUpstream.PROMPT_TOKENS);
        }
    }

    @Test
    void streamsAnAnswerWhoseBodyEndsWithTheConnectionToItsNormalEnd() throws Exception {
        upstream.on("gemini-eof", FakeGeminiUpstream.answerUntilClose(List.of(FakeGeminiUpstream.text("The "),
                FakeGeminiUpstream.text("fox.")), "STOP"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", chat("gemini-eof", HELLO,
                ",\"stream\":true"))) {
            List<String> events = stream.rest();

            assertThat(events).last().isEqualTo("[DONE]");
            List<JsonNode> chunks = parse(events);
            assertThat(chunks).noneMatch(chunk -> chunk.has("error"));
            assertThat(chunks.get(1).at("/choices/0/delta/content").asText()).isEqualTo("fox.");
            assertThat(chunks.get(1).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        }
    }

    @Test
    void answersWithABodyThatEndsWithTheConnection() throws Exception {
        upstream.on("gemini-eof", FakeGeminiUpstream.answerUntilClose(List.of(FakeGeminiUpstream.text("Done.")),
                "STOP"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("gemini-eof", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText()).isEqualTo("Done.");
    }

    @Test
    void streamsFunctionCallsWithFinishReasonToolCalls() throws Exception {
        upstream.on("gemini-tools", FakeGeminiUpstream.answer(List.of(
                FakeGeminiUpstream.functionCall("a", "{\"x\":1}"), FakeGeminiUpstream.functionCall("b", "{}")),
                "STOP"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                chat("gemini-tools", HELLO, ",\"stream\":true"))) {
            List<JsonNode> chunks = parse(stream.rest());

            List<JsonNode> calls = new ArrayList<>();
            chunks.forEach(c -> c.at("/choices/0/delta/tool_calls").forEach(calls::add));
            assertThat(calls).extracting(call -> call.path("index").asInt()).containsExactly(0, 1);
            assertThat(calls).extracting(call -> call.at("/function/name").asText()).containsExactly("a", "b");
            assertThat(calls.get(0).at("/function/arguments").asText()).isEqualTo("{\"x\":1}");
            assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        }
    }

    @Test
    void passesGeminisRejectionOnWithItsMessage() throws Exception {
        upstream.on("gemini-picky", FakeGeminiUpstream.error(400, "INVALID_ARGUMENT",
                "Invalid value at 'contents[0]'"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("gemini-picky", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText())
                .isEqualTo("Invalid value at 'contents[0]'");
    }

    @Test
    void passesRateLimitsOnAs429() throws Exception {
        upstream.on("gemini-busy", FakeGeminiUpstream.error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted"));

        HttpResponse<String> response = veil.post("/v1/chat/completions", chat("gemini-busy", HELLO, ""));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).hasValue("11");
    }

    @Test
    void embedsTextsWithBatchEmbedContents() throws Exception {
        HttpResponse<String> response = veil.post("/v1/embeddings",
                "{\"model\":\"google/text-embedding-004\",\"input\":[\"ab\",\"abcd\"],\"dimensions\":3}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("data")).hasSize(2);
        assertThat(body.at("/data/1/embedding/2").asInt()).isEqualTo(4);
        JsonNode sent = upstream.lastBody();
        assertThat(upstream.lastReceived().path()).isEqualTo("/v1beta/models/text-embedding-004:batchEmbedContents");
        assertThat(sent.at("/requests/0/model").asText()).isEqualTo("models/text-embedding-004");
        assertThat(sent.at("/requests/1/content/parts/0/text").asText()).isEqualTo("abcd");
        assertThat(sent.at("/requests/0/outputDimensionality").asInt()).isEqualTo(3);
    }

    @Test
    void encodesEmbeddingsAsBase64FloatsWhenAsked() throws Exception {
        HttpResponse<String> response = veil.post("/v1/embeddings",
                "{\"model\":\"google/text-embedding-004\",\"input\":\"ab\",\"encoding_format\":\"base64\"}");

        byte[] bytes = java.util.Base64.getDecoder().decode(JSON.readTree(response.body())
                .at("/data/0/embedding").asText());
        var floats = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(floats.getFloat()).isEqualTo(0.5f);
        assertThat(floats.getFloat()).isEqualTo(-0.25f);
        assertThat(floats.getFloat()).isEqualTo(2f);
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
