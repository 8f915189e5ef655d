package dev.veil.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIException;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.errors.SseException;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputContent;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseIncludable;
import com.openai.models.responses.ResponseInputText;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseReasoningItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fake's Responses API answers, read by the official OpenAI Java SDK with response validation on: whatever the
 * SDK cannot parse here would make a Veil test prove nothing about real OpenAI answers.
 */
class FakeOpenAiUpstreamResponsesTest {
    private FakeOpenAiUpstream upstream;
    private OpenAIClient client;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        client = OpenAIOkHttpClient.builder().baseUrl(upstream.baseUrl()).apiKey("sk-fake").maxRetries(0)
                .responseValidation(true).build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        upstream.close();
    }

    @Test
    void echoesTheInputAsAResponseWithAMessageAndUsage() {
        Response response = client.responses().create(params("Hello from the SDK").store(false).build());

        assertThat(response.id()).startsWith("resp_");
        assertThat(response.status()).contains(ResponseStatus.COMPLETED);
        assertThat(text(response)).isEqualTo("Hello from the SDK");
        ResponseUsage usage = response.usage().orElseThrow();
        assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens()).isPositive();
        assertThat(upstream.lastReceived().path()).isEqualTo("/v1/responses");
        assertThat(upstream.lastReceived().body().path("store").asBoolean(true)).isFalse();
    }

    @Test
    void echoesTheLastUserMessageOfInputItems() {
        Response response = client.responses().create(ResponseCreateParams.builder().model("gpt-4o")
                .inputOfResponse(List.of(
                        message(EasyInputMessage.Role.USER, "first question"),
                        message(EasyInputMessage.Role.ASSISTANT, "first answer"),
                        ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
                                .role(EasyInputMessage.Role.USER)
                                .contentOfResponseInputMessageContentList(List.of(ResponseInputContent.ofInputText(
                                        ResponseInputText.builder().text("second question").build())))
                                .build())))
                .build());

        assertThat(text(response)).isEqualTo("second question");
        assertThat(upstream.lastReceived().body().path("input")).hasSize(3);
    }

    @Test
    void streamsOpenAisEventSequenceNumberedInOrder() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("The ", "quick ", "fox"), java.time.Duration.ZERO));

        List<ResponseStreamEvent> events = stream(params("anything").build());

        assertThat(events).extracting(FakeOpenAiUpstreamResponsesTest::type).containsExactly(
                "response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed");
        assertThat(events).extracting(FakeOpenAiUpstreamResponsesTest::sequenceNumber)
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        events.forEach(accumulator::accumulate);
        assertThat(text(accumulator.response())).isEqualTo("The quick fox");
        assertThat(accumulator.response().usage().orElseThrow().outputTokens()).isPositive();
    }

    @Test
    void callsAFunctionAsJson() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.toolCall("call_1", "get_weather", List.of("{\"city\":", "\"Oslo\"}")));

        Response response = client.responses().create(params("weather?").build());

        ResponseFunctionToolCall call = response.output().get(0).asFunctionCall();
        assertThat(call.callId()).isEqualTo("call_1");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Oslo\"}");
    }

    @Test
    void streamsAFunctionCallWithItsArgumentsInFragments() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.toolCall("call_1", "get_weather", List.of("{\"city\":", "\"Oslo\"}")));

        List<ResponseStreamEvent> events = stream(params("weather?").build());

        assertThat(events).extracting(FakeOpenAiUpstreamResponsesTest::type).containsExactly(
                "response.created", "response.in_progress", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed");
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        events.forEach(accumulator::accumulate);
        assertThat(accumulator.response().output().get(0).asFunctionCall().arguments())
                .isEqualTo("{\"city\":\"Oslo\"}");
    }

    @Test
    void reasonsBeforeItAnswers() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.reasoning("Think first", FakeOpenAiUpstream.echo()));

        Response response = client.responses().create(params("hi").addInclude(
                ResponseIncludable.REASONING_ENCRYPTED_CONTENT).build());
        List<ResponseStreamEvent> events = stream(params("hi there").build());

        ResponseReasoningItem reasoning = response.output().get(0).asReasoning();
        assertThat(reasoning.summary()).extracting(ResponseReasoningItem.Summary::text).containsExactly("Think first");
        assertThat(reasoning.encryptedContent()).isPresent();
        assertThat(text(response)).isEqualTo("hi");
        assertThat(events).extracting(FakeOpenAiUpstreamResponsesTest::type).startsWith(
                "response.created", "response.in_progress", "response.output_item.added",
                "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
                "response.reasoning_summary_part.done", "response.output_item.done", "response.output_item.added");
        assertThat(events).filteredOn(ResponseStreamEvent::isOutputTextDelta)
                .allSatisfy(delta -> assertThat(delta.asOutputTextDelta().outputIndex()).isEqualTo(1));
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        events.forEach(accumulator::accumulate);
        assertThat(accumulator.response().output()).hasSize(2);
        assertThat(text(accumulator.response())).isEqualTo("hi there");
    }

    @Test
    void stopsAtTheOutputTokenLimitAsIncomplete() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.incomplete(List.of("Once ", "upon")));

        Response response = client.responses().create(params("tell a story").maxOutputTokens(2).build());
        List<ResponseStreamEvent> events = stream(params("tell a story").maxOutputTokens(2).build());

        assertThat(response.status()).contains(ResponseStatus.INCOMPLETE);
        assertThat(response.incompleteDetails().orElseThrow().reason())
                .contains(Response.IncompleteDetails.Reason.MAX_OUTPUT_TOKENS);
        assertThat(text(response)).isEqualTo("Once upon");
        assertThat(response.maxOutputTokens()).contains(2L);
        assertThat(events.get(events.size() - 1).isIncomplete()).isTrue();
        assertThat(events).noneMatch(ResponseStreamEvent::isCompleted);
    }

    @Test
    void endsAStreamThatFailsMidWayWithResponseFailed() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.failedMidStream(List.of("Partial "), "The model crashed"));

        List<ResponseStreamEvent> events = stream(params("anything").build());

        ResponseStreamEvent last = events.get(events.size() - 1);
        assertThat(last.isFailed()).isTrue();
        assertThat(last.asFailed().response().status()).contains(ResponseStatus.FAILED);
        assertThat(last.asFailed().response().error().orElseThrow().message()).isEqualTo("The model crashed");
        assertThat(events).noneMatch(ResponseStreamEvent::isCompleted);
    }

    @Test
    void endsAStreamThatErrsMidWayWithAnErrorEventTheSdkRaisesOn() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.errorMidStream(List.of("Partial "), "The model crashed"));
        List<ResponseStreamEvent> events = new ArrayList<>();

        assertThatThrownBy(() -> {
            try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                    params("anything").build())) {
                stream.stream().forEach(events::add);
            }
        }).isInstanceOf(SseException.class).hasMessageContaining("The model crashed");
        assertThat(events).isNotEmpty().noneMatch(ResponseStreamEvent::isCompleted);
    }

    @Test
    void aConnectionCutMidStreamMakesTheSdkRaise() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.resetMidStream(List.of("Partial ")));

        assertThat(catchThrowable(() -> stream(params("anything").build()))).isInstanceOf(OpenAIException.class);
    }

    @Test
    void answersErrorsInOpenAisShape() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.rateLimited(7));
        upstream.on("gone", FakeOpenAiUpstream.previousResponseNotFound());

        Throwable limited = catchThrowable(() -> client.responses().create(params("hi").build()));
        Throwable gone = catchThrowable(() -> client.responses().create(ResponseCreateParams.builder().model("gone")
                .input("hi").previousResponseId("resp_missing").build()));

        assertThat(limited).isInstanceOf(RateLimitException.class);
        assertThat(gone).isInstanceOfSatisfying(BadRequestException.class, e -> {
            assertThat(e.code()).contains("previous_response_not_found");
            assertThat(e.param()).contains("previous_response_id");
            assertThat(e.getMessage()).contains("resp_missing");
        });
    }

    @Test
    void reportsTheTokenCountsItIsGiven() {
        upstream.on("gpt-4o", FakeOpenAiUpstream.withUsage(100, 40, 30, 12, FakeOpenAiUpstream.echo()));

        ResponseUsage json = client.responses().create(params("hi").build()).usage().orElseThrow();
        List<ResponseStreamEvent> events = stream(params("hi").build());
        ResponseUsage streamed = events.get(events.size() - 1).asCompleted().response().usage().orElseThrow();

        for (ResponseUsage usage : List.of(json, streamed)) {
            assertThat(usage.inputTokens()).isEqualTo(100);
            assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(40);
            assertThat(usage.outputTokens()).isEqualTo(30);
            assertThat(usage.outputTokensDetails().reasoningTokens()).isEqualTo(12);
            assertThat(usage.totalTokens()).isEqualTo(130);
        }
    }

    private static ResponseCreateParams.Builder params(String input) {
        return ResponseCreateParams.builder().model("gpt-4o").input(input);
    }

    private static ResponseInputItem message(EasyInputMessage.Role role, String text) {
        return ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(role).content(text).build());
    }

    private List<ResponseStreamEvent> stream(ResponseCreateParams params) {
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
            stream.stream().forEach(events::add);
        }
        return events;
    }

    private static String text(Response response) {
        StringBuilder text = new StringBuilder();
        for (ResponseOutputItem item : response.output()) {
            if (item.isMessage()) {
                item.asMessage().content().forEach(part -> text.append(part.asOutputText().text()));
            }
        }
        return text.toString();
    }

    /** The event as the SDK parsed it, written back as JSON. */
    private static JsonNode json(ResponseStreamEvent event) {
        return ObjectMappers.jsonMapper().valueToTree(event);
    }

    private static String type(ResponseStreamEvent event) {
        return json(event).path("type").asText();
    }

    private static long sequenceNumber(ResponseStreamEvent event) {
        return json(event).path("sequence_number").asLong(-1);
    }
}
