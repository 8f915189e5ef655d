package dev.veil.server.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.ContentPart;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;
import org.junit.jupiter.api.Test;

/** Reading an OpenAI Responses upstream's answers and events back into the canonical model. */
class ResponsesAnswersTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChatChunk event(String text) throws UpstreamErrorEvent {
        return ResponsesAnswers.event(json(text)).orElseThrow();
    }

    @Test
    void aResponseIsOneAssistantMessageWithUsage() {
        ChatResponse answer = ResponsesAnswers.read(json("""
                {"id":"resp_1","object":"response","created_at":1741476542,"status":"completed","model":"gpt-4.1",
                 "output":[{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Plan"}]},
                  {"type":"message","id":"msg_1","status":"completed","role":"assistant",
                   "content":[{"type":"output_text","text":"Let me check.","annotations":[]}]},
                  {"type":"function_call","id":"fc_1","call_id":"call_a","name":"weather","arguments":"{}",
                   "status":"completed"}],
                 "usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":4},"output_tokens":87,
                  "output_tokens_details":{"reasoning_tokens":12},"total_tokens":123}}"""));

        assertThat(answer.id()).isEqualTo("resp_1");
        assertThat(answer.created()).isEqualTo(1741476542L);
        assertThat(answer.model()).isEqualTo("gpt-4.1");
        assertThat(answer.choices().get(0).message()).isEqualTo(ChatMessage.builder(Role.ASSISTANT)
                .content(List.of(ContentPart.text("Let me check."))).reasoningContent("Plan")
                .toolCalls(List.of(ToolCall.of("call_a", "weather", "{}"))).build());
        assertThat(answer.choices().get(0).finishReason()).contains(FinishReason.TOOL_CALLS);
        assertThat(answer.usage()).contains(Usage.builder(36, 87).totalTokens(123).cachedPromptTokens(4)
                .reasoningTokens(12).build());
    }

    @Test
    void anIncompleteResponseFinishedForLength() {
        ChatResponse answer = ResponsesAnswers.read(json("{\"status\":\"incomplete\",\"incomplete_details\":"
                + "{\"reason\":\"max_output_tokens\"},\"output\":[]}"));

        assertThat(answer.choices().get(0).finishReason()).contains(FinishReason.LENGTH);
    }

    @Test
    void whatTheWriterWritesReadsBackAsTheSameMessage() {
        ChatMessage message = ChatMessage.builder(Role.ASSISTANT).content(List.of(ContentPart.text("Hi")))
                .reasoningContent("Greet").toolCalls(List.of(ToolCall.of("call_1", "f", "{\"a\":1}"))).build();
        ChatResponse written = ResponsesWriterTest.answer(message, FinishReason.TOOL_CALLS);

        ChatResponse read = ResponsesAnswers.read(ResponsesWriter.response(ResponsesWriterTest.head(
                "{\"model\":\"m\"}"), written));

        assertThat(read.choices().get(0).message()).isEqualTo(message);
        assertThat(read.usage()).isEqualTo(written.usage());
    }

    @Test
    void textDeltasAreContent() throws UpstreamErrorEvent {
        ChatChunk chunk = event("{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,"
                + "\"content_index\":0,\"delta\":\"Hel\",\"sequence_number\":4}");

        assertThat(chunk.choices().get(0).delta().content()).contains("Hel");
    }

    @Test
    void reasoningDeltasAreReasoning() throws UpstreamErrorEvent {
        assertThat(event("{\"type\":\"response.reasoning_summary_text.delta\",\"delta\":\"Hm\"}").choices().get(0)
                .delta().reasoningContent()).contains("Hm");
        assertThat(event("{\"type\":\"response.reasoning_text.delta\",\"delta\":\"Hm\"}").choices().get(0)
                .delta().reasoningContent()).contains("Hm");
    }

    @Test
    void functionCallsStartWithTheirItemAndGrowWithArgumentDeltas() throws UpstreamErrorEvent {
        ChatChunk start = event("{\"type\":\"response.output_item.added\",\"output_index\":1,\"item\":{\"type\":"
                + "\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_a\",\"name\":\"weather\",\"arguments\":\"\"}}");
        ChatChunk more = event("{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\","
                + "\"output_index\":1,\"delta\":\"{}\"}");

        assertThat(start.choices().get(0).delta().toolCalls()).containsExactly(
                ToolCallDelta.start(1, "call_a", "weather"));
        assertThat(more.choices().get(0).delta().toolCalls()).containsExactly(ToolCallDelta.continuation(1, "{}"));
    }

    @Test
    void completionGivesTheFinishReasonAndUsage() throws UpstreamErrorEvent {
        ChatChunk chunk = event("{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"model\":\"m\","
                + "\"status\":\"completed\",\"output\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":2,"
                + "\"total_tokens\":5}}}");

        assertThat(chunk.choices().get(0).finishReason()).contains(FinishReason.STOP);
        assertThat(chunk.usage()).contains(Usage.of(3, 2));
        assertThat(chunk.id()).isEqualTo("resp_1");
    }

    @Test
    void incompletionGivesLength() throws UpstreamErrorEvent {
        ChatChunk chunk = event("{\"type\":\"response.incomplete\",\"response\":{\"status\":\"incomplete\","
                + "\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"output\":[]}}");

        assertThat(chunk.choices().get(0).finishReason()).contains(FinishReason.LENGTH);
    }

    @Test
    void eventsWithNothingToMeterAreEmpty() throws UpstreamErrorEvent {
        assertThat(ResponsesAnswers.event(json("{\"type\":\"response.in_progress\",\"response\":{}}"))).isEmpty();
        assertThat(ResponsesAnswers.event(json("{\"type\":\"response.output_item.added\",\"item\":{\"type\":"
                + "\"message\"}}"))).isEqualTo(Optional.empty());
    }

    @Test
    void errorEventsAreUpstreamErrorsInEitherShape() {
        assertThatThrownBy(() -> ResponsesAnswers.event(json("{\"type\":\"error\",\"code\":\"server_error\","
                + "\"message\":\"boom\",\"param\":null}")))
                .isInstanceOfSatisfying(UpstreamErrorEvent.class, e -> {
                    assertThat(e.error().message()).isEqualTo("boom");
                    assertThat(e.error().code()).contains("server_error");
                });
        assertThatThrownBy(() -> ResponsesAnswers.event(json("{\"type\":\"error\",\"error\":{\"type\":"
                + "\"too_many_requests\",\"code\":\"too_many_requests\",\"message\":\"slow\"}}")))
                .isInstanceOfSatisfying(UpstreamErrorEvent.class, e -> {
                    assertThat(e.error().message()).isEqualTo("slow");
                    assertThat(e.error().type()).contains("too_many_requests");
                });
    }

    @Test
    void failedResponsesAreUpstreamErrors() {
        assertThatThrownBy(() -> ResponsesAnswers.event(json("{\"type\":\"response.failed\",\"response\":"
                + "{\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"down\"}}}")))
                .isInstanceOfSatisfying(UpstreamErrorEvent.class,
                        e -> assertThat(e.error().message()).isEqualTo("down"));
    }
}
