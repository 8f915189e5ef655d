package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.Usage;

class AnswerCodecTest {

    /** An answer that sets every field the SPI has, each to something other than its default. */
    static ChatResponse everyField() {
        Extensions extensions = Extensions.of(Map.of("x_provider", RawJson.of("{\"a\":[1,2]}")));
        ChatMessage message = ChatMessage.builder(Role.ASSISTANT)
                .content(List.of(ContentPart.text("Olá, ").withExtensions(extensions),
                        ContentPart.image("https://example.org/a.png").withDetail("low"),
                        ContentPart.other("audio", RawJson.of("{\"type\":\"audio\",\"id\":\"au_1\"}"))))
                .name("helper").toolCalls(List.of(ToolCall.of("call_1", "lookup", "{\"q\":\"oslo\"}")))
                .toolCallId("call_0").reasoningContent("thinking").refusal("no").extensions(extensions).build();
        Choice second = Choice.of(1, ChatMessage.text(Role.ASSISTANT, "second"), FinishReason.TOOL_CALLS)
                .withExtensions(extensions);
        return ChatResponse.builder("chatcmpl-9", 1_700_000_000L, "gpt-4o-2024")
                .choices(List.of(Choice.of(0, message, FinishReason.LENGTH), second))
                .usage(Usage.builder(10, 20).totalTokens(31).cachedPromptTokens(4).cacheWritePromptTokens(2)
                        .reasoningTokens(5).extensions(extensions).build())
                .systemFingerprint("fp_1").extensions(extensions).build();
    }

    @Test
    void readsBackEveryFieldOfAnAnswer() {
        ChatResponse answer = everyField();

        assertThat(AnswerCodec.decode(AnswerCodec.encode(answer).orElseThrow())).isEqualTo(answer);
    }

    @Test
    void readsBackAnAnswerWithoutUsageOrFinishReason() {
        ChatResponse answer = ChatResponse.builder("id", 0, "m").choices(List.of(Choice.of(0,
                ChatMessage.builder(Role.ASSISTANT).build()))).build();

        assertThat(AnswerCodec.decode(AnswerCodec.encode(answer).orElseThrow())).isEqualTo(answer);
    }

    @Test
    void readsBackAnAnswerLongerThanSixtyFourKibibytes() {
        ChatResponse answer = ChatResponse.builder("id", 0, "m").choices(List.of(Choice.of(0,
                ChatMessage.text(Role.ASSISTANT, "ø".repeat(100_000)), FinishReason.STOP))).build();

        assertThat(AnswerCodec.decode(AnswerCodec.encode(answer).orElseThrow())).isEqualTo(answer);
    }

    @Test
    void refusesAnotherFormatVersion() {
        byte[] bytes = AnswerCodec.encode(everyField()).orElseThrow();
        bytes[0] = AnswerCodec.VERSION + 1;

        assertThatThrownBy(() -> AnswerCodec.decode(bytes)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesTruncatedOrPaddedBytes() {
        byte[] bytes = AnswerCodec.encode(everyField()).orElseThrow();

        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> AnswerCodec.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> AnswerCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
