package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.ContentPart;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.ResponseFormat;
import dev.veil.spi.Role;
import dev.veil.spi.StreamOptions;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.PiiFindings;
import dev.veil.spi.plugin.StreamTransformer;
import dev.veil.spi.testing.TestExchange;

/** Each field of a request a provider reads, as the plugin sends it on: the table of docs/pii.md, field by field. */
class RequestFieldsRedactionTest {
    private static final KeyedHasher HASHER = new KeyedHasher("0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    private static final String EMAIL = "ann@example.com";
    private static final String HASHED = Masking.hash(HASHER, "EMAIL", EMAIL);
    private static final RawJson SCHEMA = RawJson.of("{\"type\":\"object\",\"properties\":{\"to\":{\"type\":"
            + "\"string\",\"description\":\"write to " + EMAIL + "\"}}}");

    private final TestExchange exchange = new TestExchange();

    /** A request with the address in one field, what that field holds once sent, and what it must hold. */
    private record Case(Function<String, ChatRequest> request, Function<ChatRequest, String> sent, String expected) {
    }

    static Stream<Arguments> redactedFields() {
        return Stream.of(
                field("messages[].content text part", value -> message(ChatMessage.text(Role.USER, "Mail " + value)),
                        sent -> sent.messages().get(0).text(), "Mail <EMAIL_1>"),
                field("messages[].content text part, unknown field", value -> message(ChatMessage.builder(Role.USER)
                                .content(List.of(new ContentPart.Text("hi", extension("note", value)))).build()),
                        sent -> ((ContentPart.Text) sent.messages().get(0).content().get(0)).extensions()
                                .get("note").orElseThrow().text(), "\"<EMAIL_1>\""),
                field("messages[].content image part, unknown field", value -> message(ChatMessage.builder(Role.USER)
                                .content(List.of(new ContentPart.Image("https://example.org/a.png", Optional.empty(),
                                        extension("alt", value)))).build()),
                        sent -> ((ContentPart.Image) sent.messages().get(0).content().get(0)).extensions()
                                .get("alt").orElseThrow().text(), "\"<EMAIL_1>\""),
                field("messages[].content part of an unknown type", value -> message(ChatMessage.builder(Role.USER)
                                .content(List.of(ContentPart.other("document", RawJson.of("{\"type\":\"document\","
                                        + "\"source\":{\"type\":\"text\",\"data\":\"from " + value + "\"}}"))))
                                .build()),
                        sent -> ((ContentPart.Other) sent.messages().get(0).content().get(0)).json().text(),
                        "{\"type\":\"document\",\"source\":{\"type\":\"text\",\"data\":\"from <EMAIL_1>\"}}"),
                field("messages[].name", value -> message(ChatMessage.builder(Role.USER)
                                .content(List.of(ContentPart.text("hi"))).name(value).build()),
                        sent -> sent.messages().get(0).name().orElseThrow(), "EMAIL_1"),
                field("messages[].tool_calls[].function.arguments", value -> message(ChatMessage.builder(Role.ASSISTANT)
                                .toolCalls(List.of(ToolCall.of("c1", "send", "{\"to\":\"" + value + "\"}"))).build()),
                        sent -> sent.messages().get(0).toolCalls().get(0).arguments(), "{\"to\":\"<EMAIL_1>\"}"),
                field("messages[].reasoning_content", value -> message(ChatMessage.builder(Role.ASSISTANT)
                                .reasoningContent("the user is " + value).build()),
                        sent -> sent.messages().get(0).reasoningContent().orElseThrow(), "the user is <EMAIL_1>"),
                field("messages[].refusal", value -> message(ChatMessage.builder(Role.ASSISTANT)
                                .refusal("I will not mail " + value).build()),
                        sent -> sent.messages().get(0).refusal().orElseThrow(), "I will not mail <EMAIL_1>"),
                field("messages[] unknown field", value -> message(ChatMessage.builder(Role.USER)
                                .content(List.of(ContentPart.text("hi"))).extensions(extension("audio", value))
                                .build()),
                        sent -> sent.messages().get(0).extensions().get("audio").orElseThrow().text(),
                        "\"<EMAIL_1>\""),
                field("tools[].function.description", value -> hello().toBuilder().tools(List.of(
                                ToolDefinition.function("send", "Sends mail as " + value, RawJson.of("{}")))).build(),
                        sent -> sent.tools().get(0).description().orElseThrow(), "Sends mail as <EMAIL_1>"),
                field("tools[].function.parameters", value -> hello().toBuilder().tools(List.of(
                                ToolDefinition.function("send", "Sends mail", schema(value)))).build(),
                        sent -> sent.tools().get(0).parameters().orElseThrow().text(), schema("<EMAIL_1>").text()),
                field("tools[].function unknown field", value -> hello().toBuilder().tools(List.of(
                                ToolDefinition.function("send", "Sends mail", RawJson.of("{}"))
                                        .withExtensions(extension("examples", value)))).build(),
                        sent -> sent.tools().get(0).extensions().get("examples").orElseThrow().text(),
                        "\"<EMAIL_1>\""),
                field("response_format.json_schema.description", value -> hello().toBuilder().responseFormat(
                                ResponseFormat.jsonSchema("reply", RawJson.of("{}")).withDescription("for " + value))
                                .build(),
                        sent -> ((ResponseFormat.JsonSchema) sent.responseFormat().orElseThrow()).description()
                                .orElseThrow(), "for <EMAIL_1>"),
                field("response_format.json_schema.schema", value -> hello().toBuilder().responseFormat(
                                ResponseFormat.jsonSchema("reply", schema(value))).build(),
                        sent -> ((ResponseFormat.JsonSchema) sent.responseFormat().orElseThrow()).schema()
                                .orElseThrow().text(), schema("<EMAIL_1>").text()),
                field("stop", value -> hello().toBuilder().stop(List.of("END", value)).build(),
                        sent -> String.join(",", sent.stop()), "END,<EMAIL_1>"),
                field("user", value -> hello().toBuilder().user(value).build(),
                        sent -> sent.user().orElseThrow(), HASHED),
                field("metadata values", value -> hello().toBuilder().metadata(Map.of("owner", value)).build(),
                        sent -> sent.metadata().get("owner"), "<EMAIL_1>"),
                field("stream_options unknown field", value -> hello().toBuilder().stream(true)
                                .streamOptions(StreamOptions.of(true).withExtensions(extension("label", value))).build(),
                        sent -> sent.streamOptions().orElseThrow().extensions().get("label").orElseThrow().text(),
                        "\"<EMAIL_1>\""),
                field("unknown top-level field (prediction)", value -> hello().withExtensions(Extensions.of(Map.of(
                                "prediction", RawJson.of("{\"type\":\"content\",\"content\":\"To " + value + "\"}")))),
                        sent -> sent.extensions().get("prediction").orElseThrow().text(),
                        "{\"type\":\"content\",\"content\":\"To <EMAIL_1>\"}"),
                field("safety_identifier", value -> hello().withExtensions(extension("safety_identifier", value)),
                        sent -> sent.extensions().get("safety_identifier").orElseThrow().text(),
                        "\"" + HASHED + "\""),
                field("prompt_cache_key", value -> hello().withExtensions(extension("prompt_cache_key", value)),
                        sent -> sent.extensions().get("prompt_cache_key").orElseThrow().text(),
                        "\"" + HASHED + "\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redactedFields")
    void redactsTheField(Case field) {
        ChatRequest sent = plugin().onRequest(field.request().apply(EMAIL), exchange);

        assertThat(field.sent().apply(sent)).isEqualTo(field.expected());
        assertThat(exchange.get(Attributes.PII_FINDINGS)).contains(PiiFindings.of(Map.of("EMAIL", 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redactedFields")
    void leavesTheFieldWithoutPersonalDataAsItIs(Case field) {
        ChatRequest request = field.request().apply("nobody");

        assertThat(plugin().onRequest(request, exchange)).isSameAs(request);
    }

    @Test
    void masksEveryFieldWhenTheModeIsMask() {
        PiiRedactionPlugin plugin = plugin(Map.of("EMAIL", RedactionMode.MASK));
        ChatRequest request = hello().toBuilder().stop(List.of(EMAIL)).tools(List.of(
                ToolDefinition.function("send", "as " + EMAIL, schema(EMAIL)))).build();

        ChatRequest sent = plugin.onDecision(plugin.onRequest(request, exchange), exchange);

        assertThat(sent.stop()).containsExactly("***@*******.***");
        assertThat(sent.tools().get(0).description()).hasValue("as ***@*******.***");
        assertThat(sent.tools().get(0).parameters().orElseThrow().text()).isEqualTo(schema("***@*******.***").text());
    }

    @Test
    void keepsJsonKeysAndRewritesOnlyValues() {
        ChatRequest request = hello().withExtensions(extension("labels", RawJson.of("{\"" + EMAIL + "\":\"" + EMAIL
                + "\"}")));

        ChatRequest sent = plugin().onRequest(request, exchange);

        assertThat(sent.extensions().get("labels").orElseThrow().text())
                .isEqualTo("{\"" + EMAIL + "\":\"<EMAIL_1>\"}");
    }

    @Test
    void leavesADataUrlInAnUnknownFieldAlone() {
        ChatRequest request = message(ChatMessage.builder(Role.USER).content(List.of(ContentPart.other("file",
                RawJson.of("{\"type\":\"file\",\"file\":{\"file_data\":\"data:text/plain;charset=utf-8," + EMAIL
                        + "\"}}")))).build());

        assertThat(plugin().onRequest(request, exchange)).isSameAs(request);
    }

    @Test
    void leavesLongBase64InAnUnknownFieldAloneButNotAShortToken() {
        String token = "sk" + "A1b2C3d4E5".repeat(2);
        String base64 = "QUJDREVGR0g=".repeat(30) + token;
        ChatRequest request = hello().withExtensions(Extensions.of(Map.of("file", RawJson.of("{\"data\":\"" + base64
                + "\",\"key\":\"" + token + "\"}"))));
        PiiRedactionPlugin plugin = new PiiRedactionPlugin(new PiiScanner(List.of(new RegexDetector("SECRET",
                Pattern.compile("sk[A-Za-z0-9]{20}")))), Set.of("SECRET"),
                new RedactionModes(Map.of(), RedactionMode.PSEUDONYMIZE), HASHER, false,
                new FindingsLimit(FindingsLimit.DEFAULT, "veil.plugins[0].max-findings"));

        ChatRequest sent = plugin.onRequest(request, exchange);

        assertThat(sent.extensions().get("file").orElseThrow().text())
                .isEqualTo("{\"data\":\"" + base64 + "\",\"key\":\"<SECRET_1>\"}");
    }

    @Test
    void sendsSignedThinkingBlocksAsTheyAre() {
        RawJson blocks = RawJson.of("[{\"type\":\"thinking\",\"thinking\":\"the user is " + EMAIL
                + "\",\"signature\":\"sig\"}]");
        ChatRequest request = message(ChatMessage.builder(Role.ASSISTANT).content(List.of(ContentPart.text("ok")))
                .extensions(Extensions.of(Map.of("thinking_blocks", blocks))).build());

        ChatRequest sent = plugin().onRequest(request, exchange);

        assertThat(sent.messages().get(0).extensions().get("thinking_blocks")).containsSame(blocks);
    }

    @Test
    void sendsIdentifiersAndNamesAsTheyAre() {
        ChatRequest request = ChatRequest.builder(EMAIL, List.of(
                        ChatMessage.builder(Role.ASSISTANT).toolCalls(List.of(ToolCall.of(EMAIL, EMAIL, "{}")))
                                .build(),
                        ChatMessage.builder(Role.TOOL).toolCallId(EMAIL).content(List.of(ContentPart.text("done")))
                                .build()))
                .tools(List.of(ToolDefinition.function(EMAIL, "Sends mail", RawJson.of("{}"))))
                .toolChoice(ToolChoice.function(EMAIL))
                .responseFormat(ResponseFormat.jsonSchema(EMAIL, RawJson.of("{}")))
                .metadata(Map.of(EMAIL, "x"))
                .reasoningEffort("low")
                .build();

        assertThat(plugin().onRequest(request, exchange)).isSameAs(request);
    }

    @Test
    void sendsAnImageUrlAsItIs() {
        ChatRequest request = message(ChatMessage.builder(Role.USER).content(List.of(ContentPart.image(
                "https://example.org/photo.png?owner=" + EMAIL))).build());

        assertThat(plugin().onRequest(request, exchange)).isSameAs(request);
    }

    @Test
    void redactsEmbeddingsInputs() {
        EmbeddingsRequest sent = plugin().onEmbeddings(EmbeddingsRequest.of("e", EmbeddingInput.text("to " + EMAIL)),
                exchange);

        assertThat(((EmbeddingInput.Texts) sent.input()).texts()).containsExactly("to <EMAIL_1>");
    }

    @Test
    void hashesTheEmbeddingsUser() {
        EmbeddingsRequest sent = plugin().onEmbeddings(EmbeddingsRequest.builder("e", EmbeddingInput.text("hi"))
                .user(EMAIL).build(), exchange);

        assertThat(sent.user()).hasValue(HASHED);
    }

    @Test
    void redactsAnUnknownEmbeddingsField() {
        EmbeddingsRequest sent = plugin().onEmbeddings(EmbeddingsRequest.builder("e", EmbeddingInput.text("hi"))
                .extensions(extension("label", EMAIL)).build(), exchange);

        assertThat(sent.extensions().get("label").orElseThrow().text()).isEqualTo("\"<EMAIL_1>\"");
    }

    @Test
    void sendsEmbeddingsTokenArraysAsTheyAre() {
        EmbeddingsRequest request = EmbeddingsRequest.of("e", EmbeddingInput.tokens(RawJson.of("[1,2,3]"), 1));

        assertThat(plugin().onEmbeddings(request, exchange)).isSameAs(request);
    }

    @Test
    void restoresAnUnknownFieldOfTheAnswer() {
        PiiRedactionPlugin plugin = plugin();
        plugin.onDecision(plugin.onRequest(message(ChatMessage.text(Role.USER, "Mail " + EMAIL)), exchange), exchange);

        ChatResponse answer = plugin.onResponse(answer(ChatMessage.builder(Role.ASSISTANT)
                .content(List.of(ContentPart.text("ok"))).extensions(extension("audio",
                        RawJson.of("{\"transcript\":\"Mail <EMAIL_1>\"}"))).build()), exchange);

        assertThat(answer.choices().get(0).message().extensions().get("audio").orElseThrow().text())
                .isEqualTo("{\"transcript\":\"Mail " + EMAIL + "\"}");
    }

    @Test
    void leavesTheAnswersSignedThinkingBlocksAsTheyAre() {
        PiiRedactionPlugin plugin = plugin();
        plugin.onDecision(plugin.onRequest(message(ChatMessage.text(Role.USER, "Mail " + EMAIL)), exchange), exchange);
        RawJson blocks = RawJson.of("[{\"type\":\"thinking\",\"thinking\":\"mail <EMAIL_1>\",\"signature\":\"s\"}]");

        ChatResponse answer = plugin.onResponse(answer(ChatMessage.builder(Role.ASSISTANT)
                .content(List.of(ContentPart.text("ok"))).reasoningContent("mail <EMAIL_1>")
                .extensions(extension("thinking_blocks", blocks)).build()), exchange);

        assertThat(answer.choices().get(0).message().extensions().get("thinking_blocks")).containsSame(blocks);
        assertThat(answer.choices().get(0).message().reasoningContent()).hasValue("mail " + EMAIL);
    }

    @Test
    void restoresAnUnknownFieldOfAStreamedDelta() {
        PiiRedactionPlugin plugin = plugin();
        ChatRequest sent = plugin.onDecision(plugin.onRequest(message(ChatMessage.text(Role.USER, "Mail " + EMAIL)),
                exchange), exchange);
        StreamTransformer stream = plugin.openStream(sent, exchange);
        List<ChatChunk> out = new ArrayList<>();

        stream.onEvent(ChatChunk.builder("c1", 1, "m").choices(List.of(ChunkChoice.of(0, Delta.builder()
                .extensions(extension("audio", RawJson.of("{\"transcript\":\"<EMAIL_1>\"}"))).build()))).build(),
                out::add);

        assertThat(out.get(0).choices().get(0).delta().extensions().get("audio").orElseThrow().text())
                .isEqualTo("{\"transcript\":\"" + EMAIL + "\"}");
    }

    private static Arguments field(String name, Function<String, ChatRequest> request,
                                   Function<ChatRequest, String> sent, String expected) {
        return Arguments.of(named(name, new Case(request, sent, expected)));
    }

    private static RawJson schema(String value) {
        return RawJson.of(SCHEMA.text().replace(EMAIL, value));
    }

    private static Extensions extension(String name, String value) {
        return extension(name, RawJson.of("\"" + value + "\""));
    }

    private static Extensions extension(String name, RawJson value) {
        return Extensions.of(Map.of(name, value));
    }

    private static ChatResponse answer(ChatMessage message) {
        return ChatResponse.builder("r1", 1, "m").choices(List.of(Choice.of(0, message, FinishReason.STOP))).build();
    }

    private static ChatRequest hello() {
        return ChatRequest.of("m", List.of(ChatMessage.text(Role.USER, "hello")));
    }

    private static ChatRequest message(ChatMessage message) {
        return ChatRequest.of("m", List.of(message));
    }

    private static PiiRedactionPlugin plugin() {
        return plugin(Map.of());
    }

    private static PiiRedactionPlugin plugin(Map<String, RedactionMode> modes) {
        return new PiiRedactionPlugin(new PiiScanner(List.of(RegexDetector.EMAIL, RegexDetector.PERSON)),
                Set.of("EMAIL", "PERSON"), new RedactionModes(modes, RedactionMode.PSEUDONYMIZE), HASHER, false,
                new FindingsLimit(FindingsLimit.DEFAULT, "veil.plugins[0].max-findings"));
    }
}
