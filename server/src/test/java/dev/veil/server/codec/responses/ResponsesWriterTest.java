package dev.veil.server.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseOutputMessage;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.Usage;
import org.junit.jupiter.api.Test;

class ResponsesWriterTest {
    static ResponseHead head(String requestJson) {
        return new ResponseHead(ResponseIds.response(), 1_735_689_600L, "gpt-4.1-2025-04-14",
                ResponsesRequestsTest.parse(requestJson).echo());
    }

    static ChatResponse answer(ChatMessage message, FinishReason finish) {
        return ChatResponse.builder("chatcmpl-1", 1_735_689_600L, "gpt-4.1-2025-04-14")
                .choices(List.of(Choice.of(0, message, finish)))
                .usage(Usage.builder(120, 30).cachedPromptTokens(100).reasoningTokens(10).build())
                .build();
    }

    @Test
    void textAnswerIsACompletedResponseTheSdkReads() {
        ResponseHead head = head("{\"model\":\"gpt-4.1\",\"input\":\"Hi\"}");
        ObjectNode json = ResponsesWriter.response(head, answer(ChatMessage.text(Role.ASSISTANT, "Hello!"),
                FinishReason.STOP));

        Response response = SdkContract.response(json);
        assertThat(response.id()).isEqualTo(head.id());
        assertThat(response.status().orElseThrow().asString()).isEqualTo("completed");
        assertThat(response.createdAt()).isEqualTo(1_735_689_600d);
        assertThat(response.error()).isEmpty();
        ResponseOutputMessage message = response.output().get(0).message().orElseThrow();
        assertThat(message.id()).matches("msg_[0-9a-f]{48}");
        assertThat(message.content().get(0).asOutputText().text()).isEqualTo("Hello!");
        assertThat(response.output()).hasSize(1);
    }

    @Test
    void usageHasCachedAndReasoningDetails() {
        ObjectNode json = ResponsesWriter.response(head("{\"model\":\"m\"}"),
                answer(ChatMessage.text(Role.ASSISTANT, "ok"), FinishReason.STOP));

        var usage = SdkContract.response(json).usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(120);
        assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(100);
        assertThat(usage.outputTokens()).isEqualTo(30);
        assertThat(usage.outputTokensDetails().reasoningTokens()).isEqualTo(10);
        assertThat(usage.totalTokens()).isEqualTo(150);
    }

    @Test
    void usageReadsBackAsItWasWritten() {
        Usage usage = Usage.builder(120, 30).cachedPromptTokens(100).cacheWritePromptTokens(5).reasoningTokens(10)
                .build();

        assertThat(ResponsesUsage.read(ResponsesUsage.write(usage))).contains(usage);
    }

    @Test
    void toolCallsAreFunctionCallItemsAfterTheMessage() {
        ChatMessage message = ChatMessage.builder(Role.ASSISTANT).content(List.of(ContentPart.text("Checking.")))
                .toolCalls(List.of(ToolCall.of("call_a", "weather", "{\"city\":\"Paris\"}"),
                        ToolCall.of("call_b", "weather", "{\"city\":\"Rome\"}"))).build();

        Response response = SdkContract.response(ResponsesWriter.response(head("{\"model\":\"m\"}"),
                answer(message, FinishReason.TOOL_CALLS)));

        assertThat(response.output()).hasSize(3);
        assertThat(response.output().get(0).message()).isPresent();
        ResponseFunctionToolCall call = response.output().get(1).functionCall().orElseThrow();
        assertThat(call.callId()).isEqualTo("call_a");
        assertThat(call.name()).isEqualTo("weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(call.id().orElseThrow()).matches("fc_[0-9a-f]{48}");
        assertThat(response.output().get(2).functionCall().orElseThrow().callId()).isEqualTo("call_b");
        assertThat(response.status().orElseThrow().asString()).isEqualTo("completed");
    }

    @Test
    void toolCallsAloneHaveNoMessageItem() {
        ChatMessage message = ChatMessage.builder(Role.ASSISTANT)
                .toolCalls(List.of(ToolCall.of("call_a", "f", "{}"))).build();

        Response response = SdkContract.response(ResponsesWriter.response(head("{\"model\":\"m\"}"),
                answer(message, FinishReason.TOOL_CALLS)));

        assertThat(response.output()).hasSize(1);
        assertThat(response.output().get(0).functionCall()).isPresent();
    }

    @Test
    void reasoningIsAReasoningItemFirst() {
        ChatMessage message = ChatMessage.builder(Role.ASSISTANT).content(List.of(ContentPart.text("42")))
                .reasoningContent("Six times seven.").build();

        Response response = SdkContract.response(ResponsesWriter.response(head("{\"model\":\"m\"}"),
                answer(message, FinishReason.STOP)));

        var reasoning = response.output().get(0).reasoning().orElseThrow();
        assertThat(reasoning.id()).matches("rs_[0-9a-f]{48}");
        assertThat(reasoning.summary()).isEmpty();
        assertThat(reasoning.content().orElseThrow().get(0).text()).isEqualTo("Six times seven.");
        assertThat(response.output().get(1).message()).isPresent();
    }

    @Test
    void refusalIsARefusalPart() {
        ChatMessage message = ChatMessage.builder(Role.ASSISTANT).refusal("I can't help with that.").build();

        Response response = SdkContract.response(ResponsesWriter.response(head("{\"model\":\"m\"}"),
                answer(message, FinishReason.STOP)));

        var content = response.output().get(0).message().orElseThrow().content();
        assertThat(content).hasSize(1);
        assertThat(content.get(0).asRefusal().refusal()).isEqualTo("I can't help with that.");
    }

    @Test
    void lengthFinishIsIncompleteForMaxOutputTokens() {
        Response response = SdkContract.response(ResponsesWriter.response(head("{\"model\":\"m\"}"),
                answer(ChatMessage.text(Role.ASSISTANT, "Once upon"), FinishReason.LENGTH)));

        assertThat(response.status().orElseThrow().asString()).isEqualTo("incomplete");
        assertThat(response.incompleteDetails().orElseThrow().reason().orElseThrow().asString())
                .isEqualTo("max_output_tokens");
        assertThat(response.output().get(0).message().orElseThrow().status().asString()).isEqualTo("incomplete");
    }

    @Test
    void contentFilterFinishIsIncompleteForContentFilter() {
        Response response = SdkContract.response(ResponsesWriter.response(head("{\"model\":\"m\"}"),
                answer(ChatMessage.text(Role.ASSISTANT, ""), FinishReason.CONTENT_FILTER)));

        assertThat(response.incompleteDetails().orElseThrow().reason().orElseThrow().asString())
                .isEqualTo("content_filter");
    }

    @Test
    void requestParametersAreEchoed() {
        ResponseHead head = head("{\"model\":\"m\",\"instructions\":\"Be brief.\",\"temperature\":0.2,"
                + "\"max_output_tokens\":64,\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":"
                + "{\"type\":\"object\"},\"strict\":true},{\"type\":\"web_search\"}],\"tool_choice\":{\"type\":"
                + "\"function\",\"name\":\"f\"},\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"p\","
                + "\"schema\":{\"type\":\"object\"},\"strict\":true}},\"reasoning\":{\"effort\":\"low\"},"
                + "\"metadata\":{\"k\":\"v\"},\"store\":false,\"previous_response_id\":\"resp_0\","
                + "\"truncation\":\"auto\",\"user\":\"u\"}");

        Response response = SdkContract.response(ResponsesWriter.response(head,
                answer(ChatMessage.text(Role.ASSISTANT, "{}"), FinishReason.STOP)));

        assertThat(response.instructions().orElseThrow().string()).contains("Be brief.");
        assertThat(response.temperature()).contains(0.2);
        assertThat(response.topP()).contains(1.0);
        assertThat(response.maxOutputTokens()).contains(64L);
        assertThat(response.tools()).hasSize(2);
        assertThat(response.tools().get(0).function().orElseThrow().name()).isEqualTo("f");
        assertThat(response.toolChoice().function().orElseThrow().name()).isEqualTo("f");
        assertThat(response.text().orElseThrow().format().orElseThrow().jsonSchema().orElseThrow().name())
                .isEqualTo("p");
        assertThat(response.reasoning().orElseThrow().effort().orElseThrow().asString()).isEqualTo("low");
        assertThat(response.previousResponseId()).contains("resp_0");
        assertThat(response.truncation().orElseThrow().asString()).isEqualTo("auto");
        assertThat(response.user()).contains("u");
        assertThat(response.parallelToolCalls()).isTrue();
        assertThat(response._model().asKnown()).isPresent();
        assertThat(response._additionalProperties().get("store").asBoolean()).contains(false);
    }

    @Test
    void responseIdsAreRandomAndShapedLikeOpenAis() {
        String first = ResponseIds.response();

        assertThat(first).matches("resp_[0-9a-f]{48}");
        assertThat(ResponseIds.response()).isNotEqualTo(first);
    }
}
