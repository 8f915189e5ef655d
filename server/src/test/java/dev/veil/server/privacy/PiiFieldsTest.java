package dev.veil.server.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * Every field of the table in docs/pii.md ("Fields"), on every surface it exists on, through the real server: the
 * value never reaches the provider, the provider reads its placeholder (or its keyed hash, for an end user's
 * identifier), and the client gets its text back wherever the model repeats it. The fake providers answer with the
 * request they got, so whatever a model could repeat comes back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PiiFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMAIL = "ann.lee@example.org";
    private static final String GPT = "openai/gpt-4o";
    private static final String CLAUDE = "anthropic/claude-test";
    private static final String PLACEHOLDER = "<EMAIL_1>";
    private static final String HASHED = "<EMAIL:";

    private enum Provider { OPENAI, ANTHROPIC }

    /**
     * One field on one surface.
     *
     * @param path     the surface
     * @param body     the request, {@code %s} where the address goes
     * @param provider who answers
     * @param pointer  where the field is in what the provider got
     * @param sent     what the provider must read there (a part of it)
     * @param restored whether the client must get the address back in the answer
     */
    private record Field(String path, String body, Provider provider, String pointer, String sent, boolean restored) {
    }

    @TempDir
    static Path dataDir;

    private FakeOpenAiUpstream openai;
    private FakeAnthropicUpstream anthropic;
    private VeilUnderTest veil;

    @BeforeAll
    void start() throws Exception {
        openai = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echoRequest())
                .on("gpt-4o-tools", FakeOpenAiUpstream.echoAsToolCall("send"))
                .on("gpt-4o-audio", exchange -> {
                    JsonNode answer = JSON.readTree("""
                            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-audio",
                             "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant",
                             "content":null,"audio":{"id":"audio_1","data":"UklGRg==","transcript":""}}}]}""");
                    ((com.fasterxml.jackson.databind.node.ObjectNode) answer.at("/choices/0/message/audio"))
                            .put("transcript", exchange.lastUserText());
                    exchange.json(200, answer);
                })
                .on("text-embedding-3-small", exchange -> exchange.json(200, JSON.readTree("""
                        {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5]}],
                         "model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}""")));
        anthropic = new FakeAnthropicUpstream().on("claude-test", (exchange, request) -> FakeAnthropicUpstream
                .answer(List.of(FakeAnthropicUpstream.Block.text(request.toString())), "end_turn")
                .respond(exchange, request));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = dataDir.resolve("audit-key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  data-dir: "%s"
                  audit: {key-file: "%s"}
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                    anthropic: {kind: anthropic, base-url: "%s", api-key: "sk-ant-upstream"}
                  plugins:
                    - name: pii-redaction
                """.formatted(VeilUnderTest.MASTER_KEY, dataDir, keyFile, openai.baseUrl(), anthropic.baseUrl()));
    }

    @AfterAll
    void stop() throws Exception {
        veil.close();
        openai.close();
        anthropic.close();
    }

    static Stream<Arguments> chatCompletionsFields() {
        String path = "/v1/chat/completions";
        return Stream.of(
                chat("messages[].content", """
                        {"model":"%s","messages":[{"role":"user","content":"Mail %%s"}]}""",
                        "/messages/0/content", "Mail " + PLACEHOLDER, true),
                chat("messages[].content[] text part", """
                        {"model":"%s","messages":[{"role":"user","content":[{"type":"text","text":"Mail %%s"}]}]}""",
                        "/messages/0/content", "Mail " + PLACEHOLDER, true),
                chat("messages[].content[] text part, unknown field", """
                        {"model":"%s","messages":[{"role":"user","content":[{"type":"text","text":"hi",
                         "note":"Mail %%s"}]}]}""", "/messages/0/content/0/note", "Mail " + PLACEHOLDER, true),
                chat("messages[].content[] image part, unknown field", """
                        {"model":"%s","messages":[{"role":"user","content":[{"type":"text","text":"see"},
                         {"type":"image_url","image_url":{"url":"https://example.org/a.png"},"note":"Mail %%s"}]}]}""",
                        "/messages/0/content/1/note", "Mail " + PLACEHOLDER, true),
                chat("messages[].content[] part of an unknown type", """
                        {"model":"%s","messages":[{"role":"user","content":[{"type":"input_audio",
                         "input_audio":{"data":"UklGRg==","format":"wav"},"transcript":"Mail %%s"}]}]}""",
                        "/messages/0/content/0/transcript", "Mail " + PLACEHOLDER, true),
                chat("messages[].name", """
                        {"model":"%s","messages":[{"role":"user","name":"%%s","content":"hi"}]}""",
                        "/messages/0/name", "EMAIL_1", false),
                chat("messages[].tool_calls[].function.arguments", """
                        {"model":"%s","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,
                         "tool_calls":[{"id":"c1","type":"function","function":{"name":"send",
                         "arguments":"{\\"to\\":\\"%%s\\"}"}}]},{"role":"tool","tool_call_id":"c1","content":"sent"}]}""",
                        "/messages/1/tool_calls/0/function/arguments", PLACEHOLDER, true),
                chat("messages[].content of a tool message", """
                        {"model":"%s","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,
                         "tool_calls":[{"id":"c1","type":"function","function":{"name":"send","arguments":"{}"}}]},
                         {"role":"tool","tool_call_id":"c1","content":"sent to %%s"}]}""",
                        "/messages/2/content", "sent to " + PLACEHOLDER, true),
                chat("messages[].refusal", """
                        {"model":"%s","messages":[{"role":"user","content":"go"},{"role":"assistant","content":"no",
                         "refusal":"I will not mail %%s"},{"role":"user","content":"ok"}]}""",
                        "/messages/1/refusal", "I will not mail " + PLACEHOLDER, true),
                chat("messages[].reasoning_content", """
                        {"model":"%s","messages":[{"role":"user","content":"go"},{"role":"assistant","content":"ok",
                         "reasoning_content":"the user is %%s"},{"role":"user","content":"ok"}]}""",
                        "/messages/1/reasoning_content", "the user is " + PLACEHOLDER, true),
                chat("messages[] unknown field", """
                        {"model":"%s","messages":[{"role":"user","content":"hi","audio_note":"Mail %%s"}]}""",
                        "/messages/0/audio_note", "Mail " + PLACEHOLDER, true),
                chat("tools[].function.description", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function",
                         "function":{"name":"send","description":"Sends as %%s","parameters":{"type":"object"}}}]}""",
                        "/tools/0/function/description", "Sends as " + PLACEHOLDER, true),
                chat("tools[].function.parameters", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function",
                         "function":{"name":"send","parameters":{"type":"object","properties":{"to":{"type":"string",
                         "description":"default %%s"}}}}}]}""",
                        "/tools/0/function/parameters/properties/to/description", "default " + PLACEHOLDER, true),
                chat("tools[].function unknown field", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function",
                         "function":{"name":"send","parameters":{"type":"object"},"examples":"Mail %%s"}}]}""",
                        "/tools/0/function/examples", "Mail " + PLACEHOLDER, true),
                chat("tools[] of an unknown type", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"custom",
                         "custom":{"name":"note","description":"Mail %%s"}}]}""",
                        "/tools/0/custom/description", "Mail " + PLACEHOLDER, true),
                chat("response_format.json_schema.description", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"response_format":{
                         "type":"json_schema","json_schema":{"name":"reply","description":"For %%s",
                         "schema":{"type":"object"}}}}""",
                        "/response_format/json_schema/description", "For " + PLACEHOLDER, true),
                chat("response_format.json_schema.schema", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"response_format":{
                         "type":"json_schema","json_schema":{"name":"reply","schema":{"type":"object",
                         "properties":{"to":{"type":"string","description":"default %%s"}}}}}}""",
                        "/response_format/json_schema/schema/properties/to/description", "default " + PLACEHOLDER,
                        true),
                chat("stop", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"stop":["%%s"]}""",
                        "/stop", PLACEHOLDER, true),
                chat("user", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"user":"%%s"}""",
                        "/user", HASHED, false),
                chat("metadata values", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"metadata":{"owner":"%%s"}}""",
                        "/metadata/owner", PLACEHOLDER, true),
                chat("prediction.content", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],
                         "prediction":{"type":"content","content":"Dear %%s"}}""",
                        "/prediction/content", "Dear " + PLACEHOLDER, true),
                chat("unknown top-level field", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],
                         "web_search_options":{"user_location":{"type":"approximate","approximate":{"city":"%%s"}}}}""",
                        "/web_search_options/user_location/approximate/city", PLACEHOLDER, true),
                chat("safety_identifier", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"safety_identifier":"%%s"}""",
                        "/safety_identifier", HASHED, false),
                chat("prompt_cache_key", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"prompt_cache_key":"%%s"}""",
                        "/prompt_cache_key", HASHED, false),
                chat("stream_options unknown field", """
                        {"model":"%s","messages":[{"role":"user","content":"hi"}],"stream":true,
                         "stream_options":{"include_usage":true,"label":"%%s"}}""",
                        "/stream_options/label", PLACEHOLDER, true))
                .map(field -> withPath(field, path));
    }

    static Stream<Arguments> anthropicMessagesFields() {
        return Stream.of(
                messages("system (a string)", GPT, """
                        "system":"The user is %s.","messages":[{"role":"user","content":"hi"}]""",
                        Provider.OPENAI, "/messages/0/content", "The user is " + PLACEHOLDER, true),
                messages("system[] text block", GPT, """
                        "system":[{"type":"text","text":"The user is %s.","cache_control":{"type":"ephemeral"}}],
                         "messages":[{"role":"user","content":"hi"}]""",
                        Provider.OPENAI, "/messages/0/content/0/text", "The user is " + PLACEHOLDER, true),
                messages("messages[].content (a string)", GPT, """
                        "messages":[{"role":"user","content":"Mail %s"}]""",
                        Provider.OPENAI, "/messages/0/content", "Mail " + PLACEHOLDER, true),
                messages("messages[].content[] text block", GPT, """
                        "messages":[{"role":"user","content":[{"type":"text","text":"Mail %s"}]}]""",
                        Provider.OPENAI, "/messages/0/content", "Mail " + PLACEHOLDER, true),
                messages("messages[].content[] tool_use input", GPT, """
                        "messages":[{"role":"user","content":"go"},{"role":"assistant","content":[{"type":"tool_use",
                         "id":"t1","name":"send","input":{"to":"%s"}}]},{"role":"user","content":[
                         {"type":"tool_result","tool_use_id":"t1","content":"sent"}]}]""",
                        Provider.OPENAI, "/messages/1/tool_calls/0/function/arguments", PLACEHOLDER, true),
                messages("messages[].content[] tool_result content (a string)", GPT, """
                        "messages":[{"role":"user","content":"go"},{"role":"assistant","content":[{"type":"tool_use",
                         "id":"t1","name":"send","input":{}}]},{"role":"user","content":[
                         {"type":"tool_result","tool_use_id":"t1","content":"sent to %s"}]}]""",
                        Provider.OPENAI, "/messages/2/content", "sent to " + PLACEHOLDER, true),
                messages("messages[].content[] tool_result content blocks", GPT, """
                        "messages":[{"role":"user","content":"go"},{"role":"assistant","content":[{"type":"tool_use",
                         "id":"t1","name":"send","input":{}}]},{"role":"user","content":[
                         {"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"sent to %s"}]}]}]""",
                        Provider.OPENAI, "/messages/2/content", "sent to " + PLACEHOLDER, true),
                messages("messages[].content[] block of an unknown type (document)", CLAUDE, """
                        "messages":[{"role":"user","content":[{"type":"document","source":{"type":"text",
                         "media_type":"text/plain","data":"Letter to %s"}},{"type":"text","text":"summarize"}]}]""",
                        Provider.ANTHROPIC, "/messages/0/content/0/source/data", "Letter to " + PLACEHOLDER, true),
                messages("tools[].description", GPT, """
                        "messages":[{"role":"user","content":"hi"}],"tools":[{"name":"send",
                         "description":"Sends as %s","input_schema":{"type":"object"}}]""",
                        Provider.OPENAI, "/tools/0/function/description", "Sends as " + PLACEHOLDER, true),
                messages("tools[].input_schema", GPT, """
                        "messages":[{"role":"user","content":"hi"}],"tools":[{"name":"send","input_schema":{
                         "type":"object","properties":{"to":{"type":"string","description":"default %s"}}}}]""",
                        Provider.OPENAI, "/tools/0/function/parameters/properties/to/description",
                        "default " + PLACEHOLDER, true),
                messages("tools[] server tool", CLAUDE, """
                        "messages":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search_20250305",
                         "name":"web_search","max_uses":1,"user_location":{"type":"approximate","city":"%s"}}]""",
                        Provider.ANTHROPIC, "/tools/0/user_location/city", PLACEHOLDER, true),
                messages("stop_sequences", GPT, """
                        "messages":[{"role":"user","content":"hi"}],"stop_sequences":["%s"]""",
                        Provider.OPENAI, "/stop", PLACEHOLDER, true),
                messages("metadata.user_id, to an OpenAI provider", GPT, """
                        "messages":[{"role":"user","content":"hi"}],"metadata":{"user_id":"%s"}""",
                        Provider.OPENAI, "/user", HASHED, false),
                messages("metadata.user_id, to Anthropic", CLAUDE, """
                        "messages":[{"role":"user","content":"hi"}],"metadata":{"user_id":"%s"}""",
                        Provider.ANTHROPIC, "/metadata/user_id", HASHED, false),
                messages("metadata, other fields", CLAUDE, """
                        "messages":[{"role":"user","content":"hi"}],"metadata":{"user_id":"u-1","tenant":"%s"}""",
                        Provider.ANTHROPIC, "/metadata/tenant", PLACEHOLDER, true),
                messages("messages[].content[] text block citations, relayed unchanged", CLAUDE, """
                        "messages":[{"role":"user","content":"go"},{"role":"assistant","content":[{"type":"text",
                         "text":"noted","citations":[{"type":"char_location","cited_text":"Mail %s",
                         "document_index":0,"start_char_index":0,"end_char_index":9}]}]},
                         {"role":"user","content":"go on"}]""",
                        Provider.ANTHROPIC, "/messages/1/content/0/text", "noted", false),
                messages("unknown top-level field", CLAUDE, """
                        "messages":[{"role":"user","content":"hi"}],"context_note":"Mail %s\"""",
                        Provider.ANTHROPIC, "/context_note", "Mail " + PLACEHOLDER, true))
                .map(field -> withPath(field, "/v1/messages"));
    }

    static Stream<Arguments> responsesFields() {
        return Stream.of(
                responses("instructions", """
                        "instructions":"The user is %s.","input":"hi\"""",
                        "/messages/0/content", "The user is " + PLACEHOLDER, true),
                responses("input (a string)", """
                        "input":"Mail %s\"""", "/messages/0/content", "Mail " + PLACEHOLDER, true),
                responses("input[] message, input_text part", """
                        "input":[{"role":"user","content":[{"type":"input_text","text":"Mail %s"}]}]""",
                        "/messages/0/content", "Mail " + PLACEHOLDER, true),
                responses("input[] message, output_text part", """
                        "input":[{"role":"user","content":"go"},{"role":"assistant","content":[
                         {"type":"output_text","text":"I mailed %s"}]},{"role":"user","content":"ok"}]""",
                        "/messages/1/content", "I mailed " + PLACEHOLDER, true),
                responses("input[] message, refusal part", """
                        "input":[{"role":"user","content":"go"},{"role":"assistant","content":[
                         {"type":"refusal","refusal":"I will not mail %s"}]},{"role":"user","content":"ok"}]""",
                        "/messages/1/refusal", "I will not mail " + PLACEHOLDER, true),
                responses("input[] message, input_file part", """
                        "input":[{"role":"user","content":[{"type":"input_file","file_id":"file-1",
                         "filename":"%s"},{"type":"input_text","text":"read it"}]}]""",
                        "/messages/0/content/0/file/filename", PLACEHOLDER, true),
                responses("input[] function_call arguments", """
                        "input":[{"role":"user","content":"go"},{"type":"function_call","call_id":"c1","name":"send",
                         "arguments":"{\\"to\\":\\"%s\\"}"},{"type":"function_call_output","call_id":"c1",
                         "output":"sent"}]""",
                        "/messages/1/tool_calls/0/function/arguments", PLACEHOLDER, true),
                responses("input[] function_call_output output", """
                        "input":[{"role":"user","content":"go"},{"type":"function_call","call_id":"c1","name":"send",
                         "arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"sent to %s"}]""",
                        "/messages/2/content", "sent to " + PLACEHOLDER, true),
                responses("input[] reasoning summary", """
                        "input":[{"role":"user","content":"go"},{"type":"reasoning","summary":[
                         {"type":"summary_text","text":"the user is %s"}]},{"role":"assistant","content":"done"},
                         {"role":"user","content":"ok"}]""",
                        "/messages/1/reasoning_content", "the user is " + PLACEHOLDER, true),
                responses("tools[].description", """
                        "input":"hi","tools":[{"type":"function","name":"send","description":"Sends as %s",
                         "parameters":{"type":"object"}}]""",
                        "/tools/0/function/description", "Sends as " + PLACEHOLDER, true),
                responses("tools[].parameters", """
                        "input":"hi","tools":[{"type":"function","name":"send","parameters":{"type":"object",
                         "properties":{"to":{"type":"string","description":"default %s"}}}}]""",
                        "/tools/0/function/parameters/properties/to/description", "default " + PLACEHOLDER, true),
                responses("tools[] unknown field", """
                        "input":"hi","tools":[{"type":"function","name":"send","parameters":{"type":"object"},
                         "examples":"Mail %s"}]""",
                        "/tools/0/function/examples", "Mail " + PLACEHOLDER, true),
                responses("text.format.description", """
                        "input":"hi","text":{"format":{"type":"json_schema","name":"reply","description":"For %s",
                         "schema":{"type":"object"}}}""",
                        "/response_format/json_schema/description", "For " + PLACEHOLDER, true),
                responses("text.format.schema", """
                        "input":"hi","text":{"format":{"type":"json_schema","name":"reply","schema":{"type":"object",
                         "properties":{"to":{"type":"string","description":"default %s"}}}}}""",
                        "/response_format/json_schema/schema/properties/to/description", "default " + PLACEHOLDER,
                        true),
                responses("metadata values", """
                        "input":"hi","metadata":{"owner":"%s"}""", "/metadata/owner", PLACEHOLDER, true),
                responses("user", """
                        "input":"hi","user":"%s\"""", "/user", HASHED, false),
                responses("safety_identifier", """
                        "input":"hi","safety_identifier":"%s\"""", "/safety_identifier", HASHED, false),
                responses("prompt_cache_key", """
                        "input":"hi","prompt_cache_key":"%s\"""", "/prompt_cache_key", HASHED, false),
                responses("input[] output_text annotations, relayed unchanged", """
                        "input":[{"role":"user","content":"go"},{"type":"message","id":"msg_1","status":"completed",
                         "role":"assistant","content":[{"type":"output_text","text":"see the page","annotations":[
                         {"type":"url_citation","url":"https://example.org/","title":"Mail %s","start_index":0,
                         "end_index":3}]}]},{"role":"user","content":"ok"}]""",
                        "/messages/1/content", "see the page", false),
                responses("unknown top-level field", """
                        "input":"hi","context_note":"Mail %s\"""", "/context_note", "Mail " + PLACEHOLDER, true));
    }

    static Stream<Arguments> embeddingsFields() {
        return Stream.of(
                embeddings("input (a string)", """
                        "input":"Mail %s\"""", "/input", "Mail " + PLACEHOLDER),
                embeddings("input[] (an array)", """
                        "input":["hi","Mail %s"]""", "/input/1", "Mail " + PLACEHOLDER),
                embeddings("user", """
                        "input":"hi","user":"%s\"""", "/user", HASHED),
                embeddings("unknown top-level field", """
                        "input":"hi","label":"%s\"""", "/label", PLACEHOLDER));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chatCompletionsFields")
    void chatCompletions(Field field) throws Exception {
        redactsAndRestores(field);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("anthropicMessagesFields")
    void anthropicMessages(Field field) throws Exception {
        redactsAndRestores(field);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responsesFields")
    void responses(Field field) throws Exception {
        redactsAndRestores(field);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("embeddingsFields")
    void embeddings(Field field) throws Exception {
        redactsAndRestores(field);
    }

    static Stream<Arguments> answerFields() {
        return Stream.of(
                answer("chat completions: choices[].message.tool_calls[].function.arguments", "/v1/chat/completions",
                        """
                        {"model":"openai/gpt-4o-tools","messages":[{"role":"user","content":"Mail %s"}]}"""),
                answer("chat completions, streamed: choices[].delta.tool_calls[].function.arguments",
                        "/v1/chat/completions", """
                        {"model":"openai/gpt-4o-tools","stream":true,"messages":[{"role":"user",
                         "content":"Mail %s"}]}"""),
                answer("chat completions: choices[].message unknown field (audio.transcript)", "/v1/chat/completions",
                        """
                        {"model":"openai/gpt-4o-audio","messages":[{"role":"user","content":"Mail %s"}]}"""),
                answer("anthropic messages: content[] tool_use input", "/v1/messages", """
                        {"model":"openai/gpt-4o-tools","max_tokens":50,"messages":[{"role":"user",
                         "content":"Mail %s"}]}"""),
                answer("anthropic messages, streamed: input_json_delta", "/v1/messages", """
                        {"model":"openai/gpt-4o-tools","max_tokens":50,"stream":true,"messages":[{"role":"user",
                         "content":"Mail %s"}]}"""),
                answer("responses: output[] function_call arguments", "/v1/responses", """
                        {"model":"openai/gpt-4o-tools","store":false,"input":"Mail %s"}"""),
                answer("responses, streamed: response.function_call_arguments events", "/v1/responses", """
                        {"model":"openai/gpt-4o-tools","store":false,"stream":true,"input":"Mail %s"}"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answerFields")
    void restoresTheAnswer(String[] request) throws Exception {
        HttpResponse<String> response = veil.post(request[0], request[1].formatted(EMAIL));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(openai.lastReceived().body().toString()).doesNotContain(EMAIL);
        assertThat(response.body()).contains(EMAIL).doesNotContain(PLACEHOLDER);
    }

    @Test
    void sendsAnthropicThinkingBlocksAsTheProviderSignedThem() throws Exception {
        HttpResponse<String> response = veil.post("/v1/messages", """
                {"model":"%s","max_tokens":50,"messages":[{"role":"user","content":"go"},{"role":"assistant",
                 "content":[{"type":"thinking","thinking":"the user is %s","signature":"sig-1"},
                 {"type":"text","text":"ok"}]},{"role":"user","content":"go on"}]}""".formatted(CLAUDE, EMAIL));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode block = anthropic.lastBody().at("/messages/1/content/0");
        assertThat(block.path("thinking").asText()).isEqualTo("the user is " + EMAIL);
        assertThat(block.path("signature").asText()).isEqualTo("sig-1");
    }

    @Test
    void keepsTheHashedAnthropicUserIdBesideOtherMetadata() throws Exception {
        HttpResponse<String> response = veil.post("/v1/messages", """
                {"model":"%s","max_tokens":50,"messages":[{"role":"user","content":"hi"}],
                 "metadata":{"user_id":"%s","tenant":"acme"}}""".formatted(CLAUDE, EMAIL));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode metadata = anthropic.lastBody().path("metadata");
        assertThat(metadata.path("user_id").asText()).startsWith(HASHED);
        assertThat(metadata.path("tenant").asText()).isEqualTo("acme");
    }

    @Test
    void sendsAnImageUrlAsItIs() throws Exception {
        String url = "https://example.org/photo.png?owner=" + EMAIL;
        HttpResponse<String> response = veil.post("/v1/chat/completions", """
                {"model":"%s","messages":[{"role":"user","content":[{"type":"text","text":"see"},
                 {"type":"image_url","image_url":{"url":"%s"}}]}]}""".formatted(GPT, url));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(openai.lastReceived().body().at("/messages/0/content/1/image_url/url").asText()).isEqualTo(url);
    }

    @Test
    void sendsAResponsesRequestWithPersonalDataTranslatedNotRelayed() throws Exception {
        HttpResponse<String> response = veil.post("/v1/responses", """
                {"model":"%s","store":false,"input":"Mail %s"}""".formatted(GPT, EMAIL));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(openai.lastReceived().path()).endsWith("/chat/completions");
    }

    @Test
    void refusesToRelayABuiltInToolHoldingPersonalData() throws Exception {
        int before = openai.received().size();

        HttpResponse<String> response = veil.post("/v1/responses", """
                {"model":"%s","store":false,"input":"hi","tools":[{"type":"mcp","server_label":"crm",
                 "server_url":"https://crm.example.org/mcp","headers":{"From":"%s"}}]}""".formatted(GPT, EMAIL));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("unsupported_tool");
        assertThat(openai.received()).hasSize(before);
    }

    private void redactsAndRestores(Field field) throws Exception {
        HttpResponse<String> response = veil.post(field.path(), field.body().formatted(EMAIL));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode sent = field.provider() == Provider.OPENAI ? openai.lastReceived().body() : anthropic.lastBody();
        assertThat(sent.toString()).doesNotContain(EMAIL);
        JsonNode value = sent.at(field.pointer());
        assertThat(value.isTextual() ? value.textValue() : value.toString()).contains(field.sent());
        if (field.restored()) {
            assertThat(answerText(field.path(), response.body())).contains(EMAIL);
        }
    }

    /** The text of the answer the client got, on any surface, streamed or not. */
    private static String answerText(String path, String body) throws Exception {
        if (body.startsWith("data:") || body.startsWith("event:")) {
            StringBuilder text = new StringBuilder();
            for (String line : body.split("\n")) {
                if (line.startsWith("data: {")) {
                    text.append(JSON.readTree(line.substring(6)).at("/choices/0/delta/content").asText(""));
                }
            }
            return text.toString();
        }
        JsonNode answer = JSON.readTree(body);
        return switch (path) {
            case "/v1/messages" -> answer.at("/content/0/text").asText();
            case "/v1/responses" -> {
                StringBuilder text = new StringBuilder();
                for (JsonNode item : answer.path("output")) {
                    if (item.path("type").asText().equals("message")) {
                        text.append(item.at("/content/0/text").asText());
                    }
                }
                yield text.toString();
            }
            default -> answer.at("/choices/0/message/content").asText();
        };
    }

    private static Arguments answer(String name, String path, String body) {
        return Arguments.of(named(name, new String[] {path, body}));
    }

    private static Arguments chat(String name, String body, String pointer, String sent, boolean restored) {
        return Arguments.of(named(name, new Field("", body.formatted(GPT), Provider.OPENAI, pointer, sent,
                restored)));
    }

    private static Arguments messages(String name, String model, String fields, Provider provider, String pointer,
                                      String sent, boolean restored) {
        return Arguments.of(named(name, new Field("", "{\"model\":\"" + model + "\",\"max_tokens\":50," + fields
                + "}", provider, pointer, sent, restored)));
    }

    private static Arguments responses(String name, String fields, String pointer, String sent, boolean restored) {
        return Arguments.of(named(name, new Field("/v1/responses", "{\"model\":\"" + GPT + "\",\"store\":false,"
                + fields + "}", Provider.OPENAI, pointer, sent, restored)));
    }

    private static Arguments embeddings(String name, String fields, String pointer, String sent) {
        return Arguments.of(named(name, new Field("/v1/embeddings", "{\"model\":\"openai/text-embedding-3-small\","
                + fields + "}", Provider.OPENAI, pointer, sent, false)));
    }

    @SuppressWarnings("unchecked")
    private static Arguments withPath(Arguments arguments, String path) {
        var named = (org.junit.jupiter.api.Named<Field>) arguments.get()[0];
        Field field = named.getPayload();
        return Arguments.of(named(named.getName(), new Field(path, field.body(), field.provider(), field.pointer(),
                field.sent(), field.restored())));
    }
}
