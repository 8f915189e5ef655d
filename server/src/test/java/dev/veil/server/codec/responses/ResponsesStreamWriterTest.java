package dev.veil.server.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseStreamEvent;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import org.junit.jupiter.api.Test;

class ResponsesStreamWriterTest {
    static final Usage USAGE = Usage.builder(50, 7).cachedPromptTokens(20).reasoningTokens(3).build();

    static ChatChunk chunk(Delta delta) {
        return ChatChunk.builder("chatcmpl-1", 1, "gpt-4.1").choices(List.of(ChunkChoice.of(0, delta))).build();
    }

    static ChatChunk text(String text) {
        return chunk(Delta.content(text));
    }

    static ChatChunk reasoning(String text) {
        return chunk(Delta.EMPTY.withReasoningContent(text));
    }

    static ChatChunk tool(ToolCallDelta call) {
        return chunk(Delta.EMPTY.withToolCalls(List.of(call)));
    }

    static ChatChunk finish(FinishReason reason) {
        return ChatChunk.builder("chatcmpl-1", 1, "gpt-4.1")
                .choices(List.of(ChunkChoice.of(0, Delta.EMPTY, reason))).build();
    }

    static ChatChunk usage() {
        return ChatChunk.builder("chatcmpl-1", 1, "gpt-4.1").usage(USAGE).build();
    }

    static ChatChunk role() {
        return chunk(Delta.builder().role(Role.ASSISTANT).content("").build());
    }

    /** Every frame of a stream of these chunks that ends normally. */
    static List<byte[]> stream(ResponsesStreamWriter writer, ChatChunk... chunks) {
        List<byte[]> frames = new ArrayList<>();
        for (ChatChunk chunk : chunks) {
            frames.addAll(writer.onChunk(chunk));
        }
        frames.addAll(writer.onEnd());
        return frames;
    }

    static List<byte[]> stream(ChatChunk... chunks) {
        return stream(new ResponsesStreamWriter(ResponsesWriterTest.head("{\"model\":\"gpt-4.1\"}")), chunks);
    }

    /** The Response the SDK's own accumulator builds from the events. */
    static Response accumulated(List<byte[]> frames) {
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        for (ResponseStreamEvent event : SdkContract.events(frames)) {
            accumulator.accumulate(event);
        }
        return accumulator.response();
    }

    static JsonNode last(List<byte[]> frames) {
        List<JsonNode> data = SdkContract.data(frames);
        return data.get(data.size() - 1);
    }

    @Test
    void textStreamsAsOneMessageItem() {
        List<byte[]> frames = stream(role(), text("Hel"), text("lo"), finish(FinishReason.STOP), usage());

        assertThat(SdkContract.types(frames)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed");
    }

    @Test
    void everyEventIsOneTheSdkKnowsAndTheAccumulatedResponseIsTheFinalOne() {
        List<byte[]> frames = stream(role(), text("Hel"), text("lo"), finish(FinishReason.STOP), usage());

        Response response = accumulated(frames);
        assertThat(response.status().orElseThrow().asString()).isEqualTo("completed");
        assertThat(response.output().get(0).message().orElseThrow().content().get(0).asOutputText().text())
                .isEqualTo("Hello");
        assertThat(response.usage().orElseThrow().inputTokensDetails().cachedTokens()).isEqualTo(20);
        assertThat(response.usage().orElseThrow().outputTokensDetails().reasoningTokens()).isEqualTo(3);
    }

    @Test
    void sequenceNumbersCountFromZeroWithoutGaps() {
        List<byte[]> frames = stream(reasoning("a"), text("b"), tool(ToolCallDelta.start(0, "c", "f")),
                tool(ToolCallDelta.continuation(0, "{}")), finish(FinishReason.TOOL_CALLS), usage());

        List<JsonNode> data = SdkContract.data(frames);
        for (int i = 0; i < data.size(); i++) {
            assertThat(data.get(i).get("sequence_number").asInt()).isEqualTo(i);
        }
    }

    @Test
    void deltasCarryTheirItemAndPosition() {
        List<byte[]> frames = stream(text("Hi"));

        List<JsonNode> data = SdkContract.data(frames);
        String itemId = data.get(2).get("item").get("id").asText();
        JsonNode delta = data.get(4);
        assertThat(itemId).matches("msg_[0-9a-f]{48}");
        assertThat(delta.get("item_id").asText()).isEqualTo(itemId);
        assertThat(delta.get("output_index").asInt()).isZero();
        assertThat(delta.get("content_index").asInt()).isZero();
        assertThat(delta.get("delta").asText()).isEqualTo("Hi");
        assertThat(delta.get("logprobs")).isEmpty();
    }

    @Test
    void toolCallsStreamAsFunctionCallItems() {
        List<byte[]> frames = stream(tool(ToolCallDelta.start(0, "call_a", "weather")),
                tool(ToolCallDelta.continuation(0, "{\"city\":")), tool(ToolCallDelta.continuation(0, "\"Paris\"}")),
                tool(ToolCallDelta.start(1, "call_b", "time")), tool(ToolCallDelta.continuation(1, "{}")),
                finish(FinishReason.TOOL_CALLS), usage());

        assertThat(SdkContract.types(frames)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta", "response.function_call_arguments.done",
                "response.output_item.done", "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed");
        Response response = accumulated(frames);
        var first = response.output().get(0).functionCall().orElseThrow();
        assertThat(first.callId()).isEqualTo("call_a");
        assertThat(first.name()).isEqualTo("weather");
        assertThat(first.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(response.output().get(1).functionCall().orElseThrow().callId()).isEqualTo("call_b");
    }

    @Test
    void textThenToolCallIsAMessageThenAFunctionCall() {
        List<byte[]> frames = stream(text("Checking."), tool(ToolCallDelta.start(0, "call_a", "weather")),
                tool(ToolCallDelta.continuation(0, "{}")), finish(FinishReason.TOOL_CALLS), usage());

        assertThat(SdkContract.types(frames)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed");
        JsonNode output = last(frames).get("response").get("output");
        assertThat(output.get(0).get("type").asText()).isEqualTo("message");
        assertThat(output.get(1).get("type").asText()).isEqualTo("function_call");
        assertThat(output.get(1).get("output_index")).isNull();
        assertThat(SdkContract.data(frames).get(8).get("output_index").asInt()).isEqualTo(1);
    }

    @Test
    void argumentsForACallAlreadyClosedStillCountInTheFinalResponse() {
        List<byte[]> frames = stream(tool(ToolCallDelta.start(0, "call_a", "f")),
                tool(ToolCallDelta.continuation(0, "{\"a\":")), tool(ToolCallDelta.start(1, "call_b", "g")),
                tool(ToolCallDelta.continuation(0, "1}")), finish(FinishReason.TOOL_CALLS));

        JsonNode output = last(frames).get("response").get("output");
        assertThat(output.get(0).get("arguments").asText()).isEqualTo("{\"a\":1}");
        assertThat(output).hasSize(2);
    }

    @Test
    void aCallWithoutAnIdGetsOne() {
        List<byte[]> frames = stream(tool(new ToolCallDelta(0, Optional.empty(),
                Optional.of("f"), Optional.of("{}"))));

        assertThat(accumulated(frames).output().get(0).functionCall().orElseThrow().callId())
                .matches("call_[0-9a-f]{48}");
    }

    @Test
    void reasoningStreamsAsAReasoningItemBeforeTheMessage() {
        List<byte[]> frames = stream(reasoning("Six times "), reasoning("seven."), text("42"),
                finish(FinishReason.STOP), usage());

        assertThat(SdkContract.types(frames)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.reasoning_text.delta",
                "response.reasoning_text.delta", "response.reasoning_text.done", "response.content_part.done",
                "response.output_item.done", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed");
        Response response = accumulated(frames);
        assertThat(response.output().get(0).reasoning().orElseThrow().content().orElseThrow().get(0).text())
                .isEqualTo("Six times seven.");
    }

    @Test
    void refusalStreamsAsARefusalPart() {
        List<byte[]> frames = stream(chunk(Delta.EMPTY.withRefusal("I can't")), finish(FinishReason.STOP));

        assertThat(SdkContract.types(frames)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.refusal.delta",
                "response.refusal.done", "response.content_part.done", "response.output_item.done",
                "response.completed");
        assertThat(accumulated(frames).output().get(0).message().orElseThrow().content().get(0).asRefusal()
                .refusal()).isEqualTo("I can't");
    }

    @Test
    void lengthFinishEndsIncomplete() {
        List<byte[]> frames = stream(text("Once upon"), finish(FinishReason.LENGTH), usage());

        assertThat(SdkContract.types(frames)).last().isEqualTo("response.incomplete");
        Response response = accumulated(frames);
        assertThat(response.status().orElseThrow().asString()).isEqualTo("incomplete");
        assertThat(response.incompleteDetails().orElseThrow().reason().orElseThrow().asString())
                .isEqualTo("max_output_tokens");
        assertThat(response.output().get(0).message().orElseThrow().status().asString()).isEqualTo("incomplete");
    }

    @Test
    void anEmptyStreamIsOneEmptyMessage() {
        List<byte[]> frames = stream();

        assertThat(accumulated(frames).output().get(0).message().orElseThrow().content().get(0).asOutputText()
                .text()).isEmpty();
    }

    @Test
    void theStartingResponsesAreInProgressAndEmpty() {
        List<byte[]> frames = stream(text("x"));

        for (JsonNode event : SdkContract.data(frames).subList(0, 2)) {
            assertThat(event.get("response").get("status").asText()).isEqualTo("in_progress");
            assertThat(event.get("response").get("output")).isEmpty();
        }
    }

    @Test
    void finalResponseIsTheCompletedOneWithUsage() {
        ResponsesStreamWriter writer = new ResponsesStreamWriter(ResponsesWriterTest.head("{\"model\":\"m\"}"));
        List<byte[]> frames = stream(writer, text("Hi"), finish(FinishReason.STOP), usage());

        assertThat(writer.finalResponse().toString()).isEqualTo(last(frames).get("response").toString());
        assertThat(SdkContract.response(writer.finalResponse()).usage().orElseThrow().totalTokens()).isEqualTo(57);
        assertThat(writer.usage()).contains(USAGE);
    }

    @Test
    void aFailureIsAnErrorEventTheSdkReads() {
        ResponsesStreamWriter writer = new ResponsesStreamWriter(ResponsesWriterTest.head("{\"model\":\"m\"}"));
        List<byte[]> frames = new ArrayList<>(writer.onChunk(text("Hel")));
        frames.add(writer.failed(new VeilException(ErrorKind.UPSTREAM, "the provider failed")));

        List<ResponseStreamEvent> events = SdkContract.events(frames);
        var error = events.get(events.size() - 1).error().orElseThrow();
        assertThat(error.message()).isEqualTo("the provider failed");
        assertThat(error.code()).contains("server_error");
        assertThat(error.sequenceNumber()).isEqualTo(frames.size() - 1);
        JsonNode nested = last(frames).get("error");
        assertThat(nested.get("message").asText()).isEqualTo("the provider failed");
        assertThat(nested.get("type").asText()).isEqualTo("upstream_error");
        assertThat(SdkContract.types(frames)).doesNotContain("response.completed");
    }

    @Test
    void afterAFailureTheFinalResponseIsFailed() {
        ResponsesStreamWriter writer = new ResponsesStreamWriter(ResponsesWriterTest.head("{\"model\":\"m\"}"));
        writer.onChunk(text("Hel"));
        writer.failed(new VeilException(ErrorKind.RATE_LIMITED, "slow down"));

        Response response = SdkContract.response(writer.finalResponse());
        assertThat(response.status().orElseThrow().asString()).isEqualTo("failed");
        assertThat(response.error().orElseThrow().code().asString()).isEqualTo("rate_limit_exceeded");
        assertThat(response.error().orElseThrow().message()).isEqualTo("slow down");
    }
}
