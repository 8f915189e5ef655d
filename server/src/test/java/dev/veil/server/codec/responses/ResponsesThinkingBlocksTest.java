package dev.veil.server.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.translation.StreamDeltas;
import dev.veil.server.codec.translation.Thinking;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import org.junit.jupiter.api.Test;

/**
 * Signed thinking blocks (Anthropic's, Bedrock's) ride in a reasoning item's {@code encrypted_content} and come back
 * as the assistant message's {@link Thinking#BLOCKS}, so that a provider which needs them in the next turn gets them.
 */
class ResponsesThinkingBlocksTest {
    private static final String BLOCKS = "[{\"type\":\"thinking\",\"thinking\":\"Let me think\",\"signature\":"
            + "\"c2lnbmVk\"}]";

    @Test
    void signedBlocksOfAnAnswerAreTheReasoningItemsEncryptedContent() {
        ChatMessage message = ChatMessage.builder(Role.ASSISTANT).content(List.of(ContentPart.text("Hi")))
                .reasoningContent("Let me think").extensions(Extensions.of(Map.of(Thinking.BLOCKS,
                        RawJson.of(BLOCKS)))).build();

        ObjectNode response = ResponsesWriter.response(ResponsesWriterTest.head("{\"model\":\"m\"}"),
                ResponsesWriterTest.answer(message, FinishReason.STOP));

        var reasoning = SdkContract.response(response).output().get(0).reasoning().orElseThrow();
        assertThat(reasoning.encryptedContent()).contains(BLOCKS);
    }

    @Test
    void outputItemsSentBackGiveTheBlocksBack() {
        ChatMessage message = ChatMessage.builder(Role.ASSISTANT)
                .toolCalls(List.of(ToolCall.of("toolu_1", "f", "{}"))).reasoningContent("Let me think")
                .extensions(Extensions.of(Map.of(Thinking.BLOCKS, RawJson.of(BLOCKS)))).build();
        ObjectNode response = ResponsesWriter.response(ResponsesWriterTest.head("{\"model\":\"m\"}"),
                ResponsesWriterTest.answer(message, FinishReason.TOOL_CALLS));
        List<JsonNode> items = new ArrayList<>();
        response.get("output").forEach(items::add);

        List<ChatMessage> messages = ResponsesRequests.messages(items, "input");

        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).toolCalls()).containsExactly(ToolCall.of("toolu_1", "f", "{}"));
        assertThat(Thinking.returnedBlocks(messages.get(0)).toString()).isEqualTo(BLOCKS);
    }

    @Test
    void openAisOwnEncryptedContentIsNotTakenForBlocks() {
        List<ChatMessage> messages = ResponsesItemsTest.messages("""
                [{"type":"reasoning","summary":[],"encrypted_content":"gAAAAABoISQ2"},
                 {"role":"assistant","content":"Hi"}]""");

        assertThat(messages.get(0).extensions().isEmpty()).isTrue();
    }

    @Test
    void aStreamedSignatureClosesItsBlockWithTheTextThatStreamed() {
        ObjectNode signature = WireJson.NODES.objectNode().put("type", "thinking").put("thinking", "")
                .put("signature", "c2lnbmVk");

        List<byte[]> frames = ResponsesStreamWriterTest.stream(ResponsesStreamWriterTest.reasoning("Let me"),
                ResponsesStreamWriterTest.reasoning(" think"),
                ResponsesStreamWriterTest.chunk(StreamDeltas.thinkingBlock(signature)),
                ResponsesStreamWriterTest.text("Hi"));

        JsonNode reasoning = ResponsesStreamWriterTest.last(frames).get("response").get("output").get(0);
        assertThat(reasoning.get("encrypted_content").asText()).isEqualTo(BLOCKS);
        assertThat(ResponsesStreamWriterTest.accumulated(frames).output().get(0).reasoning().orElseThrow()
                .encryptedContent()).contains(BLOCKS);
    }
}
