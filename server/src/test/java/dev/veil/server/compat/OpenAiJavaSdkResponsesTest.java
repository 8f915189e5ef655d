package dev.veil.server.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.SseException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseOutputText;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import com.openai.models.responses.StructuredResponse;
import com.openai.models.responses.StructuredResponseCreateParams;
import com.openai.models.responses.inputitems.InputItemListPage;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeGeminiUpstream;
import dev.veil.server.testing.FakeHttpServer;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Drives {@code /v1/responses} with the official OpenAI Java SDK ({@code com.openai:openai-java}) against four
 * upstreams: OpenAI relayed unchanged, an OpenAI-compatible provider (translated to chat completions), Anthropic and
 * Gemini (translated to their own wires). Every answer is {@code validate()}d, so a field the SDK cannot read fails
 * the test: whatever the SDK cannot parse is a Veil wire-format bug.
 */
class OpenAiJavaSdkResponsesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL_ID = "call_weather_1";
    static final List<String> ARGUMENT_FRAGMENTS = List.of("{\"city\":", "\"Oslo\",", "\"unit\":\"celsius\"}");
    static final String ARGUMENTS = String.join("", ARGUMENT_FRAGMENTS);
    private static final String TOOL_OUTPUT = "{\"celsius\":21}";
    static final String FINAL_ANSWER = "It is 21 degrees in Oslo.";
    static final List<String> PARTIAL = List.of("The ", "partial ");

    /** Where Veil sends the request, and how each fake is told to answer. */
    enum Upstream {
        OPENAI_RELAYED("openai/gpt-4o", "gpt-4o"),
        OPENAI_COMPATIBLE("deepseek/deepseek-chat", "deepseek-chat"),
        ANTHROPIC("anthropic/claude-test", "claude-test"),
        GEMINI("google/gemini-2.5-flash", "gemini-2.5-flash");

        final String model;
        final String upstreamModel;

        Upstream(String model, String upstreamModel) {
            this.model = model;
            this.upstreamModel = upstreamModel;
        }
    }

    /** The structured answer the structured-output test asks for. */
    public static final class Forecast {
        public String city;
        public long celsius;
    }

    @TempDir
    Path dataDir;

    private FakeOpenAiUpstream openAi;
    private FakeAnthropicUpstream anthropic;
    private FakeGeminiUpstream gemini;
    private VeilUnderTest veil;
    private OpenAIClient client;

    @BeforeEach
    void start() throws Exception {
        openAi = new FakeOpenAiUpstream();
        anthropic = new FakeAnthropicUpstream();
        gemini = new FakeGeminiUpstream();
        veil = VeilUnderTest.start(config(dataDir, openAi, anthropic, gemini));
        client = OpenAIOkHttpClient.builder()
                .baseUrl(veil.baseUrl() + "/v1")
                .apiKey(VeilUnderTest.MASTER_KEY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        veil.close();
        openAi.close();
        anthropic.close();
        gemini.close();
    }

    /** Every upstream kind, with a data dir and an audit key so that Veil keeps conversations. */
    static String config(Path dataDir, FakeOpenAiUpstream openAi, FakeAnthropicUpstream anthropic,
                         FakeGeminiUpstream gemini) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = dataDir.resolve("audit-key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
        return """
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  data-dir: "%s"
                  audit: {key-file: "%s"}
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream-secret-1234"}
                    deepseek: {kind: openai-compatible, preset: deepseek, base-url: "%s", api-key: "sk-ds-secret"}
                    anthropic: {kind: anthropic, base-url: "%s", api-key: "sk-ant-upstream"}
                    google: {kind: gemini, base-url: "%s", api-key: "AIza-responses-sdk-key"}
                """.formatted(VeilUnderTest.MASTER_KEY, dataDir, keyFile, openAi.baseUrl(), openAi.baseUrl(),
                anthropic.baseUrl(), gemini.baseUrl());
    }

    // JSON -----------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void createsAResponseWithOutputTextStatusAndUsage(Upstream upstream) throws Exception {
        Response response = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .input("Hello from the Java SDK").build()).validate();

        assertThat(outputText(response)).isEqualTo("Hello from the Java SDK");
        assertThat(response.status()).hasValue(ResponseStatus.COMPLETED);
        assertThat(response.id()).startsWith("resp_");
        assertUsage(response.usage().orElseThrow());
        if (upstream == Upstream.OPENAI_RELAYED) {
            assertThat(openAi.lastReceived().path()).endsWith("/responses");
        }
    }

    // Streaming ------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void streamsDeltasEndingInACompletedEventThatTheAccumulatorAssembles(Upstream upstream) {
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        List<ResponseStreamEvent> events;
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                ResponseCreateParams.builder().model(upstream.model).input("stream these five words").build())) {
            events = stream.stream().peek(accumulator::accumulate).toList();
        }

        assertThat(events).allSatisfy(ResponseStreamEvent::validate);
        assertThat(events.getFirst().isCreated()).isTrue();
        assertThat(events.getLast().isCompleted()).isTrue();
        assertThat(events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(event -> event.asOutputTextDelta().delta()).collect(Collectors.joining()))
                .isEqualTo("stream these five words");
        Response assembled = accumulator.response().validate();
        assertThat(outputText(assembled)).isEqualTo("stream these five words");
        assertThat(assembled.status()).hasValue(ResponseStatus.COMPLETED);
        assertUsage(assembled.usage().orElseThrow());
        assertThat(client.responses().retrieve(assembled.id()).validate().id()).isEqualTo(assembled.id());
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void raisesWhenTheProviderFailsMidStream(Upstream upstream) {
        failMidStream(upstream);
        StringBuilder received = new StringBuilder();
        List<ResponseStreamEvent> events = new ArrayList<>();

        assertThatThrownBy(() -> {
            try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                    ResponseCreateParams.builder().model(upstream.model).input("tell me a story").build())) {
                stream.stream().forEach(event -> {
                    events.add(event);
                    if (event.isOutputTextDelta()) {
                        received.append(event.asOutputTextDelta().delta());
                    }
                });
            }
        }).isInstanceOf(SseException.class);
        assertThat(received).hasToString(String.join("", PARTIAL));
        assertThat(events).noneMatch(ResponseStreamEvent::isCompleted);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = "OPENAI_RELAYED")
    void raisesOnOpenAisRelayedErrorEventWithoutACompletedEvent(Upstream upstream) {
        openAi.on(upstream.upstreamModel, FakeOpenAiUpstream.errorMidStream(PARTIAL, "generation failed"));
        List<ResponseStreamEvent> events = new ArrayList<>();

        assertThatThrownBy(() -> {
            try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                    ResponseCreateParams.builder().model(upstream.model).input("tell me a story").build())) {
                stream.stream().forEach(events::add);
            }
        }).isInstanceOf(SseException.class).hasMessageContaining("generation failed");
        assertThat(openAi.lastReceived().path()).endsWith("/responses");
        assertThat(events).noneMatch(ResponseStreamEvent::isCompleted);
    }

    // Function tools -------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void completesAFunctionToolRoundTripWithPreviousResponseId(Upstream upstream) throws Exception {
        callWeatherThenAnswer(upstream);
        Response first = client.responses().create(weatherQuestion(upstream).build()).validate();
        ResponseFunctionToolCall call = onlyFunctionCall(first, upstream);

        Response second = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .addTool(weatherTool())
                .previousResponseId(first.id())
                .inputOfResponse(List.of(toolOutput(call)))
                .build()).validate();

        assertThat(outputText(second)).isEqualTo(FINAL_ANSWER);
        assertThat(second.previousResponseId()).hasValue(first.id());
        assertThat(lastUpstreamBody(upstream)).contains("weather in Oslo?", "21");
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void completesAFunctionToolRoundTripWithTheItemsSentBackAsInput(Upstream upstream) throws Exception {
        callWeatherThenAnswer(upstream);
        Response first = client.responses().create(weatherQuestion(upstream).store(false).build()).validate();
        ResponseFunctionToolCall call = onlyFunctionCall(first, upstream);

        Response second = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .addTool(weatherTool())
                .store(false)
                .inputOfResponse(List.of(
                        userMessage("weather in Oslo?"),
                        ResponseInputItem.ofFunctionCall(call),
                        toolOutput(call)))
                .build()).validate();

        assertThat(outputText(second)).isEqualTo(FINAL_ANSWER);
        assertThat(lastUpstreamBody(upstream)).contains("weather in Oslo?", "21");
        if (upstream == Upstream.OPENAI_RELAYED) {
            assertThat(openAi.lastReceived().path()).endsWith("/responses");
        }
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void streamsAFunctionCallWhoseArgumentsTheAccumulatorAssembles(Upstream upstream) {
        callWeatherThenAnswer(upstream);
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        List<ResponseStreamEvent> events;
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                weatherQuestion(upstream).build())) {
            events = stream.stream().peek(accumulator::accumulate).toList();
        }

        assertThat(events).allSatisfy(ResponseStreamEvent::validate);
        assertThat(events.getLast().isCompleted()).isTrue();
        assertThat(events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDelta)
                .map(event -> event.asFunctionCallArgumentsDelta().delta()).collect(Collectors.joining()))
                .isEqualTo(onlyFunctionCall(accumulator.response().validate(), upstream).arguments());
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void listsTheFunctionOutputOfARoundTripAsAnInputItem(Upstream upstream) {
        callWeatherThenAnswer(upstream);
        Response first = client.responses().create(weatherQuestion(upstream).build()).validate();
        ResponseFunctionToolCall call = onlyFunctionCall(first, upstream);
        Response second = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .addTool(weatherTool()).previousResponseId(first.id())
                .inputOfResponse(List.of(toolOutput(call))).build()).validate();

        List<ResponseItem> items = client.responses().inputItems().list(second.id()).data();

        assertThat(items).singleElement().satisfies(item -> {
            item.validate();
            assertThat(item.isFunctionCallOutput()).isTrue();
            assertThat(item.asFunctionCallOutput().callId()).hasValue(call.callId());
        });
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI_RELAYED", "ANTHROPIC", "GEMINI"})
    void answersWithAReasoningItemBeforeTheText(Upstream upstream) {
        think(upstream);

        Response response = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .input("Think first").build()).validate();

        assertThat(response.output().getFirst().isReasoning()).as("output: %s", response.output()).isTrue();
        assertThat(outputText(response)).isEqualTo("The answer");
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI_RELAYED", "ANTHROPIC", "GEMINI"})
    void streamsReasoningThatTheAccumulatorAssembles(Upstream upstream) {
        think(upstream);
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        List<ResponseStreamEvent> events;
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                ResponseCreateParams.builder().model(upstream.model).input("Think first").build())) {
            events = stream.stream().peek(accumulator::accumulate).toList();
        }

        assertThat(events).allSatisfy(ResponseStreamEvent::validate);
        Response assembled = accumulator.response().validate();
        assertThat(assembled.output().getFirst().isReasoning()).as("output: %s", assembled.output()).isTrue();
        assertThat(outputText(assembled)).isEqualTo("The answer");
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void continuesAConversationSentBackAsOutputItemsAndListsThemAsInputItems(Upstream upstream) throws Exception {
        think(upstream);
        Response first = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .input("Think first").build()).validate();
        List<ResponseInputItem> input = new ArrayList<>();
        input.add(userMessage("Think first"));
        first.output().stream().map(OpenAiJavaSdkResponsesTest::asInput).forEach(input::add);
        input.add(userMessage("And then?"));

        Response second = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .inputOfResponse(input).build()).validate();
        List<ResponseItem> items = client.responses().inputItems().list(second.id()).data();

        assertThat(outputText(second)).isEqualTo("The answer");
        assertThat(lastUpstreamBody(upstream)).contains("Think first", "The answer", "And then?");
        if (upstream == Upstream.ANTHROPIC) {
            assertThat(lastUpstreamBody(upstream)).contains("sig-think-1");
        }
        assertThat(items).hasSize(input.size()).allSatisfy(ResponseItem::validate);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void reportsAnAnswerCutOffAtTheTokenLimitAsIncomplete(Upstream upstream) {
        cutOff(upstream);

        Response response = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .input("Say a lot").maxOutputTokens(16).build()).validate();

        assertThat(response.status()).hasValue(ResponseStatus.INCOMPLETE);
        assertThat(response.incompleteDetails().flatMap(Response.IncompleteDetails::reason))
                .hasValue(Response.IncompleteDetails.Reason.MAX_OUTPUT_TOKENS);
        assertThat(outputText(response)).isEqualTo("The answer");
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void streamsAnAnswerCutOffAtTheTokenLimitEndingInResponseIncomplete(Upstream upstream) {
        cutOff(upstream);
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        List<ResponseStreamEvent> events;
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                ResponseCreateParams.builder().model(upstream.model).input("Say a lot").maxOutputTokens(16)
                        .build())) {
            events = stream.stream().peek(accumulator::accumulate).toList();
        }

        assertThat(events).allSatisfy(ResponseStreamEvent::validate);
        assertThat(events.getLast().isIncomplete()).as("last event: %s", events.getLast()).isTrue();
        assertThat(events).noneMatch(ResponseStreamEvent::isCompleted);
        Response assembled = accumulator.response().validate();
        assertThat(assembled.status()).hasValue(ResponseStatus.INCOMPLETE);
        assertThat(outputText(assembled)).isEqualTo("The answer");
    }

    // Structured output ----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void passesTheJsonSchemaUpstreamAndTheSdkParsesTheStructuredAnswer(Upstream upstream) throws Exception {
        StructuredResponseCreateParams<Forecast> params = ResponseCreateParams.builder().model(upstream.model)
                .input("{\"city\":\"Oslo\",\"celsius\":21}")
                .text(Forecast.class)
                .build();

        StructuredResponse<Forecast> response = client.responses().create(params);

        Forecast forecast = response.output().stream()
                .flatMap(item -> item.message().stream())
                .flatMap(message -> message.content().stream())
                .flatMap(content -> content.outputText().stream())
                .findFirst().orElseThrow();
        assertThat(forecast.city).isEqualTo("Oslo");
        assertThat(forecast.celsius).isEqualTo(21);
        JsonNode schema = receivedSchema(upstream);
        assertThat(schema.path("properties").has("city")).as("schema upstream: %s", schema).isTrue();
        assertThat(schema.path("properties").has("celsius")).as("schema upstream: %s", schema).isTrue();
    }

    // Conversation state ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void answersEachTurnOfAThreeTurnChainAndReplaysTheWholeConversation(Upstream upstream) throws Exception {
        Response first = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .input("Turn one: my colour is teal").build()).validate();
        Response second = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .previousResponseId(first.id()).input("Turn two: my pet is a heron").build()).validate();
        Response third = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .previousResponseId(second.id()).input("Turn three: what do you know?").build()).validate();

        assertThat(List.of(outputText(first), outputText(second), outputText(third))).containsExactly(
                "Turn one: my colour is teal", "Turn two: my pet is a heron", "Turn three: what do you know?");
        assertThat(third.previousResponseId()).hasValue(second.id());
        String replayed = lastUpstreamBody(upstream);
        assertThat(occurrences(replayed, "Turn one: my colour is teal")).as(replayed).isEqualTo(2);
        assertThat(occurrences(replayed, "Turn two: my pet is a heron")).as(replayed).isEqualTo(2);
        assertThat(occurrences(replayed, "Turn three: what do you know?")).as(replayed).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void retrievesListsInputItemsAndDeletesAStoredResponse(Upstream upstream) {
        Response created = client.responses().create(ResponseCreateParams.builder().model(upstream.model)
                .input("Keep me").build()).validate();

        Response retrieved = client.responses().retrieve(created.id()).validate();
        InputItemListPage items = client.responses().inputItems().list(created.id());
        client.responses().delete(created.id());

        assertThat(retrieved.id()).isEqualTo(created.id());
        assertThat(outputText(retrieved)).isEqualTo("Keep me");
        assertThat(items.data()).singleElement().satisfies(item -> {
            item.validate();
            assertThat(inputText(item)).isEqualTo("Keep me");
        });
        assertThat(catchThrowable(() -> client.responses().retrieve(created.id())))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
        assertThat(catchThrowable(() -> client.responses().delete(created.id())))
                .isInstanceOf(NotFoundException.class);
        assertThat(catchThrowable(() -> client.responses().inputItems().list(created.id())))
                .isInstanceOf(NotFoundException.class);
    }

    // Helpers --------------------------------------------------------------------------------------------------------

    private static String outputText(Response response) {
        return response.output().stream()
                .flatMap(item -> item.message().stream())
                .flatMap(message -> message.content().stream())
                .flatMap(content -> content.outputText().stream())
                .map(ResponseOutputText::text)
                .collect(Collectors.joining());
    }

    private static String inputText(ResponseItem item) {
        return item.asResponseInputMessageItem().content().stream()
                .flatMap(content -> content.inputText().stream())
                .map(text -> text.text())
                .collect(Collectors.joining());
    }

    private static void assertUsage(ResponseUsage usage) {
        assertThat(usage.inputTokens()).isPositive();
        assertThat(usage.outputTokens()).isPositive();
        assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static FunctionTool weatherTool() {
        return FunctionTool.builder()
                .name("get_weather")
                .description("Current weather in a city")
                .parameters(FunctionTool.Parameters.builder()
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

    private static ResponseCreateParams.Builder weatherQuestion(Upstream upstream) {
        return ResponseCreateParams.builder().model(upstream.model).addTool(weatherTool()).input("weather in Oslo?");
    }

    private static ResponseInputItem userMessage(String text) {
        return ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
                .content(text).build());
    }

    /** An output item as a client sends it back in a later request's input. */
    private static ResponseInputItem asInput(ResponseOutputItem item) {
        if (item.isMessage()) {
            return ResponseInputItem.ofResponseOutputMessage(item.asMessage());
        }
        if (item.isReasoning()) {
            return ResponseInputItem.ofReasoning(item.asReasoning());
        }
        return ResponseInputItem.ofFunctionCall(item.asFunctionCall());
    }

    private static ResponseInputItem toolOutput(ResponseFunctionToolCall call) {
        return ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                .callId(call.callId()).output(TOOL_OUTPUT).build());
    }

    /** The one function call of {@code response}: Gemini has no call ids, so Veil makes one up for it. */
    private static ResponseFunctionToolCall onlyFunctionCall(Response response, Upstream upstream) {
        List<ResponseFunctionToolCall> calls = response.output().stream()
                .filter(ResponseOutputItem::isFunctionCall).map(ResponseOutputItem::asFunctionCall).toList();
        assertThat(calls).hasSize(1);
        ResponseFunctionToolCall call = calls.getFirst();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.arguments(Map.class)).isEqualTo(Map.of("city", "Oslo", "unit", "celsius"));
        if (upstream == Upstream.GEMINI) {
            assertThat(call.callId()).isNotEmpty();
        } else {
            assertThat(call.callId()).isEqualTo(CALL_ID);
            assertThat(call.arguments()).isEqualTo(ARGUMENTS);
        }
        return call;
    }

    /** Scripts the upstream to call get_weather, and to answer in text once the request carries the tool's output. */
    private void callWeatherThenAnswer(Upstream upstream) {
        switch (upstream) {
            case OPENAI_RELAYED, OPENAI_COMPATIBLE -> openAi.on(upstream.upstreamModel, openAiWeather(CALL_ID));
            case ANTHROPIC -> anthropic.on(upstream.upstreamModel, anthropicWeather(CALL_ID));
            case GEMINI -> gemini.on(upstream.upstreamModel, geminiWeather());
        }
    }

    /**
     * Scripts the upstream to stream "The partial " and then fail, each the way its provider does; a relayed OpenAI
     * stream and a Gemini one end cut off (a reset could discard the partial text before Veil reads it), so that the
     * event that ends them is Veil's.
     */
    private void failMidStream(Upstream upstream) {
        switch (upstream) {
            case OPENAI_RELAYED -> openAi.on(upstream.upstreamModel, FakeOpenAiUpstream.truncateStream(PARTIAL));
            case OPENAI_COMPATIBLE -> openAi.on(upstream.upstreamModel,
                    FakeOpenAiUpstream.errorMidStream(PARTIAL, "generation failed"));
            case ANTHROPIC -> anthropic.on(upstream.upstreamModel, anthropicBroken());
            case GEMINI -> gemini.on(upstream.upstreamModel, geminiBroken());
        }
    }

    /** Scripts the upstream to reason before it answers "The answer". */
    private void think(Upstream upstream) {
        switch (upstream) {
            case OPENAI_RELAYED, OPENAI_COMPATIBLE -> openAi.on(upstream.upstreamModel, FakeOpenAiUpstream.reasoning(
                    "Let me think.", FakeOpenAiUpstream.answer(List.of("The ", "answer"), Duration.ZERO)));
            case ANTHROPIC -> anthropic.on(upstream.upstreamModel, FakeAnthropicUpstream.answer(List.of(
                    FakeAnthropicUpstream.Block.thinking("sig-think-1", "Let me ", "think."),
                    FakeAnthropicUpstream.Block.text("The ", "answer")), "end_turn"));
            case GEMINI -> gemini.on(upstream.upstreamModel, FakeGeminiUpstream.answer(List.of(
                    FakeGeminiUpstream.thought("Let me think."), FakeGeminiUpstream.text("The "),
                    FakeGeminiUpstream.text("answer")), "STOP"));
        }
    }

    /** Scripts the upstream to stop at its output token limit after "The answer". */
    private void cutOff(Upstream upstream) {
        switch (upstream) {
            case OPENAI_RELAYED, OPENAI_COMPATIBLE -> openAi.on(upstream.upstreamModel,
                    FakeOpenAiUpstream.incomplete(List.of("The ", "answer")));
            case ANTHROPIC -> anthropic.on(upstream.upstreamModel, FakeAnthropicUpstream.answer(List.of(
                    FakeAnthropicUpstream.Block.text("The ", "answer")), "max_tokens"));
            case GEMINI -> gemini.on(upstream.upstreamModel, FakeGeminiUpstream.answer(List.of(
                    FakeGeminiUpstream.text("The "), FakeGeminiUpstream.text("answer")), "MAX_TOKENS"));
        }
    }

    // Upstream scripts, shared with OpenAiNodeSdkResponsesTest --------------------------------------------------------

    /** Whether a request, on either OpenAI wire, carries a function's output. */
    private static boolean carriesToolOutput(JsonNode body) {
        for (JsonNode item : body.path("input")) {
            if ("function_call_output".equals(item.path("type").asText())) {
                return true;
            }
        }
        for (JsonNode message : body.path("messages")) {
            if ("tool".equals(message.path("role").asText())) {
                return true;
            }
        }
        return false;
    }

    /** OpenAI calls get_weather as {@code callId}, and answers {@link #FINAL_ANSWER} once it has the output. */
    static FakeOpenAiUpstream.Behavior openAiWeather(String callId) {
        return exchange -> (carriesToolOutput(exchange.body())
                ? FakeOpenAiUpstream.answer(FakeOpenAiUpstream.pieces(FINAL_ANSWER), Duration.ZERO)
                : FakeOpenAiUpstream.toolCall(callId, "get_weather", ARGUMENT_FRAGMENTS)).respond(exchange);
    }

    /** Anthropic uses get_weather as {@code callId}, and answers {@link #FINAL_ANSWER} once it has the result. */
    static FakeAnthropicUpstream.Behavior anthropicWeather(String callId) {
        return (exchange, request) -> (request.path("messages").toString().contains("\"tool_result\"")
                ? FakeAnthropicUpstream.answer(List.of(FakeAnthropicUpstream.Block.text(
                        FakeOpenAiUpstream.pieces(FINAL_ANSWER).toArray(String[]::new))), "end_turn")
                : FakeAnthropicUpstream.answer(List.of(FakeAnthropicUpstream.Block.toolUse(callId, "get_weather",
                        ARGUMENT_FRAGMENTS.toArray(String[]::new))), "tool_use"))
                .respond(exchange, request);
    }

    /** Gemini calls get_weather (without an id), and answers {@link #FINAL_ANSWER} once it has the response. */
    static FakeGeminiUpstream.Behavior geminiWeather() {
        return (exchange, request, stream) -> (request.path("contents").toString().contains("\"functionResponse\"")
                ? FakeGeminiUpstream.answer(FakeOpenAiUpstream.pieces(FINAL_ANSWER).stream()
                        .map(FakeGeminiUpstream::text).toList(), "STOP")
                : FakeGeminiUpstream.answer(List.of(FakeGeminiUpstream.functionCall("get_weather", ARGUMENTS)),
                        "STOP")).respond(exchange, request, stream);
    }

    /** Anthropic streams {@link #PARTIAL}, then an overloaded {@code error} event. */
    static FakeAnthropicUpstream.Behavior anthropicBroken() {
        return FakeAnthropicUpstream.errorMidStream(List.of(FakeAnthropicUpstream.Block.text(
                PARTIAL.toArray(String[]::new))), "overloaded_error", "Overloaded");
    }

    /** Gemini streams {@link #PARTIAL} and ends its body without a finish reason. */
    static FakeGeminiUpstream.Behavior geminiBroken() {
        return (exchange, request, stream) -> {
            exchange.startChunked("text/event-stream");
            for (String piece : PARTIAL) {
                geminiTextEvent(exchange, piece);
            }
            exchange.endChunked();
        };
    }

    /** The schema the upstream received for the structured-output request, wherever its wire puts it. */
    private JsonNode receivedSchema(Upstream upstream) throws IOException {
        JsonNode body = JSON.readTree(lastUpstreamBody(upstream));
        return switch (upstream) {
            case OPENAI_RELAYED -> body.path("text").path("format").path("schema");
            case OPENAI_COMPATIBLE -> body.path("response_format").path("json_schema").path("schema");
            case ANTHROPIC -> body.path("output_config").path("format").path("schema");
            case GEMINI -> body.path("generationConfig").path("responseSchema");
        };
    }

    private String lastUpstreamBody(Upstream upstream) throws IOException {
        return switch (upstream) {
            case OPENAI_RELAYED, OPENAI_COMPATIBLE -> openAi.lastReceived().body().toString();
            case ANTHROPIC -> new String(anthropic.lastReceived().body(), StandardCharsets.UTF_8);
            case GEMINI -> new String(gemini.lastReceived().body(), StandardCharsets.UTF_8);
        };
    }

    /** One streamed Gemini event with {@code text} and no finish reason: the fake streams only whole answers. */
    private static void geminiTextEvent(FakeHttpServer.Exchange exchange, String text) throws IOException {
        ObjectNode content = JSON.createObjectNode().put("role", "model");
        content.putArray("parts").add(FakeGeminiUpstream.text(text));
        ObjectNode event = JSON.createObjectNode();
        event.putArray("candidates").addObject().put("index", 0).set("content", content);
        exchange.chunk(("data: " + JSON.writeValueAsString(event) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    }
}
