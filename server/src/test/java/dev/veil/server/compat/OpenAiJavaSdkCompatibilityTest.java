package dev.veil.server.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drives Veil with the official OpenAI Java SDK ({@code com.openai:openai-java}) against the fake upstream: whatever
 * the SDK cannot parse, or parses differently from OpenAI's own answers, is a Veil wire-format bug.
 */
class OpenAiJavaSdkCompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> WEATHER_ARGUMENTS = List.of("{\"city\":", "\"Oslo\",", "\"unit\":\"celsius\"}");

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private OpenAIClient client;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.withUpstream(upstream);
        client = client(VeilUnderTest.MASTER_KEY);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        veil.close();
        upstream.close();
    }

    @Test
    void returnsACompletionWithContentFinishReasonAndUsage() {
        ChatCompletion completion = client.chat().completions().create(chat("Hello from the Java SDK").build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().content()).hasValue("Hello from the Java SDK");
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isPositive();
        assertThat(usage.completionTokens()).isPositive();
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
    }

    @Test
    void streamsDeltasThatConcatenateToTheAnswer() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("The ", "quick ", "brown ", "fox"), Duration.ZERO));

        List<ChatCompletionChunk> chunks = stream(chat("anything").build());

        assertThat(content(chunks)).isEqualTo("The quick brown fox");
        assertThat(chunks).flatMap(ChatCompletionChunk::choices)
                .filteredOn(choice -> choice.finishReason().isPresent())
                .singleElement()
                .satisfies(choice -> assertThat(choice.finishReason())
                        .hasValue(ChatCompletionChunk.Choice.FinishReason.STOP));
    }

    @Test
    void streamsNoUsageChunkWhenUsageIsNotAskedFor() {
        List<ChatCompletionChunk> chunks = stream(chat("no usage please").build());

        assertThat(chunks).isNotEmpty().allSatisfy(chunk -> {
            assertThat(chunk.usage()).isEmpty();
            assertThat(chunk.choices()).isNotEmpty();
        });
    }

    @Test
    void endsTheStreamWithAUsageChunkWhenIncludeUsageIsAsked() {
        List<ChatCompletionChunk> chunks = stream(chat("count my tokens")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());

        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.completionTokens()).isPositive();
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(chunk -> assertThat(chunk.usage()).isEmpty());
        assertThat(content(chunks)).isEqualTo("count my tokens");
    }

    @Test
    void returnsAToolCallAndPassesTheToolDefinitionUpstreamIntact() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.toolCall("call_1", "get_weather", WEATHER_ARGUMENTS));

        ChatCompletion completion = client.chat().completions().create(chat("weather in Oslo?")
                .addFunctionTool(weatherFunction()).build());

        assertThat(upstream.lastReceived().body().path("tools")).isEqualTo(JSON.readTree(WEATHER_TOOL_JSON));
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).isEmpty();
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_1");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo(String.join("", WEATHER_ARGUMENTS));
    }

    @Test
    void streamsToolCallArgumentsInFragmentsThatAssembleToTheArguments() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.toolCall("call_1", "get_weather", WEATHER_ARGUMENTS));

        List<ChatCompletionChunk> chunks = stream(chat("weather in Oslo?").addFunctionTool(weatherFunction()).build());

        assertThat(upstream.lastReceived().body().path("tools")).isEqualTo(JSON.readTree(WEATHER_TOOL_JSON));
        Map<Long, StringBuilder> arguments = new TreeMap<>();
        Map<Long, String> ids = new TreeMap<>();
        Map<Long, String> names = new TreeMap<>();
        for (ChatCompletionChunk chunk : chunks) {
            for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                for (ChatCompletionChunk.Choice.Delta.ToolCall call : choice.delta().toolCalls().orElse(List.of())) {
                    call.id().ifPresent(id -> ids.put(call.index(), id));
                    call.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::name)
                            .ifPresent(name -> names.put(call.index(), name));
                    call.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::arguments)
                            .ifPresent(fragment -> arguments.computeIfAbsent(call.index(), i -> new StringBuilder())
                                    .append(fragment));
                }
            }
        }
        assertThat(ids).containsExactly(Map.entry(0L, "call_1"));
        assertThat(names).containsExactly(Map.entry(0L, "get_weather"));
        assertThat(arguments.get(0L)).hasToString(String.join("", WEATHER_ARGUMENTS));
        assertThat(chunks).flatMap(ChatCompletionChunk::choices).last()
                .satisfies(choice -> assertThat(choice.finishReason())
                        .hasValue(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS));
    }

    @Test
    void accumulatesAStreamedToolCallIntoACompletionWithTheSdkHelper() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.toolCall("call_7", "get_weather", WEATHER_ARGUMENTS));
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();

        stream(chat("weather in Oslo?").addFunctionTool(weatherFunction()).build()).forEach(accumulator::accumulate);

        ChatCompletion.Choice choice = accumulator.chatCompletion().choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_7");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo(String.join("", WEATHER_ARGUMENTS));
    }

    @Test
    void returnsEmbeddingsInTheSdksDefaultEncoding() {
        upstream.on("text-embedding-3-small", CompatUpstream.embeddings(0.5f, -0.25f, 0.125f));

        CreateEmbeddingResponse response = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("embed me").build());

        assertThat(response.data()).singleElement()
                .satisfies(embedding -> assertThat(embedding.embedding()).containsExactly(0.5f, -0.25f, 0.125f));
        assertThat(response.usage().promptTokens()).isEqualTo(3);
    }

    @Test
    void returnsBase64EmbeddingsWhenAskedFor() {
        upstream.on("text-embedding-3-small", CompatUpstream.embeddings(0.5f, -0.25f, 0.125f));

        CreateEmbeddingResponse response = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("embed me")
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());

        assertThat(upstream.lastReceived().body().path("encoding_format").asText()).isEqualTo("base64");
        assertThat(response.data()).singleElement()
                .satisfies(embedding -> assertThat(embedding.embedding()).containsExactly(0.5f, -0.25f, 0.125f));
    }

    @Test
    void listsTheConfiguredAliasAsAModelOwnedByVeil() {
        List<Model> models = client.models().list().data();

        assertThat(models).filteredOn(model -> model.id().equals("smart")).singleElement()
                .satisfies(model -> assertThat(model.ownedBy()).isEqualTo("veil"));
    }

    @Test
    void retrievesAConfiguredAliasAsAModel() {
        Model model = client.models().retrieve("smart");

        assertThat(model.id()).isEqualTo("smart");
        assertThat(model.ownedBy()).isEqualTo("veil");
    }

    @Test
    void raisesUnauthorizedExceptionForAWrongKey() {
        OpenAIClient wrongKey = client("sk-not-the-master-key");
        Throwable thrown;
        try {
            thrown = catchThrowable(() -> wrongKey.chat().completions().create(chat("hi").build()));
        } finally {
            wrongKey.close();
        }

        assertThat(thrown).isInstanceOfSatisfying(UnauthorizedException.class,
                e -> assertThat(e.statusCode()).isEqualTo(401));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void raisesNotFoundExceptionForAnUnknownModel() {
        Throwable thrown = catchThrowable(() -> client.chat().completions().create(
                chat("hi").model("no-such-model").build()));

        assertThat(thrown).isInstanceOfSatisfying(NotFoundException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(404);
            assertThat(e.code()).hasValue("model_not_found");
        });
    }

    @Test
    void raisesBadRequestExceptionNamingTheParamForInvalidInput() {
        Throwable thrown = catchThrowable(() -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("smart").messages(List.of()).build()));

        assertThat(thrown).isInstanceOfSatisfying(BadRequestException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.param()).hasValue("messages");
        });
    }

    @Test
    void raisesWhenTheUpstreamReportsAnErrorMidStream() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.errorMidStream(List.of("The ", "partial "), "generation failed"));

        assertStreamRaisesAfter("The partial ");
    }

    @Test
    void raisesWhenTheUpstreamConnectionResetsMidStream() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.resetMidStream(List.of("The ", "partial ")));

        assertStreamRaisesAfter("The partial ");
    }

    @Test
    void raisesWhenTheUpstreamStreamEndsWithoutDone() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.truncateStream(List.of("The ", "partial ")));

        assertStreamRaisesAfter("The partial ");
    }

    // Helpers ---------------------------------------------------------------------------------------------------

    private static final String WEATHER_TOOL_JSON = """
            [{"type":"function","function":{"name":"get_weather","description":"Current weather in a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"},
                "unit":{"type":"string","enum":["celsius","fahrenheit"]}},
                "required":["city","unit"],"additionalProperties":false},
              "strict":true}}]""";

    private OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(veil.baseUrl() + "/v1")
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private static ChatCompletionCreateParams.Builder chat(String userMessage) {
        return ChatCompletionCreateParams.builder().model("smart").addUserMessage(userMessage);
    }

    private static FunctionDefinition weatherFunction() {
        return FunctionDefinition.builder()
                .name("get_weather")
                .description("Current weather in a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                "city", Map.of("type", "string"),
                                "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city", "unit")))
                        .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                        .build())
                .strict(true)
                .build();
    }

    private List<ChatCompletionChunk> stream(ChatCompletionCreateParams params) {
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            return stream.stream().toList();
        }
    }

    private static String content(List<ChatCompletionChunk> chunks) {
        StringBuilder text = new StringBuilder();
        for (ChatCompletionChunk chunk : chunks) {
            for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                choice.delta().content().ifPresent(text::append);
            }
        }
        return text.toString();
    }

    /** Streams {@code smart}, expecting the SDK to raise after delivering {@code before}, never to end quietly. */
    private void assertStreamRaisesAfter(String before) {
        StringBuilder received = new StringBuilder();

        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> stream =
                         client.chat().completions().createStreaming(chat("tell me a story").build())) {
                stream.stream().forEach(chunk -> chunk.choices()
                        .forEach(choice -> choice.delta().content().ifPresent(received::append)));
            }
        }).isInstanceOf(SseException.class);
        assertThat(received).hasToString(before);
    }
}
