package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;

class StreamAssemblerTest {
    private final StreamAssembler assembler = new StreamAssembler();

    private void event(int index, Delta delta, Optional<FinishReason> finish) {
        ChunkChoice choice = ChunkChoice.of(index, delta);
        assembler.add(ChatChunk.builder("chatcmpl-9", 42, "gpt-4o-2024")
                .choices(List.of(finish.map(choice::withFinishReason).orElse(choice))).systemFingerprint("fp_1")
                .build());
    }

    private static Delta delta(Optional<Role> role, Optional<String> content, Optional<String> reasoning,
                               List<ToolCallDelta> calls) {
        Delta.Builder delta = Delta.builder().toolCalls(calls);
        role.ifPresent(delta::role);
        content.ifPresent(delta::content);
        reasoning.ifPresent(delta::reasoningContent);
        return delta.build();
    }

    @Test
    void joinsContentReasoningFinishReasonAndUsage() {
        event(0, delta(Optional.of(Role.ASSISTANT), Optional.of(""), Optional.of("Think"), List.of()),
                Optional.empty());
        event(0, delta(Optional.empty(), Optional.empty(), Optional.of("ing."), List.of()), Optional.empty());
        event(0, Delta.content("Hel"), Optional.empty());
        event(0, Delta.content("lo."), Optional.empty());
        event(0, Delta.EMPTY, Optional.of(FinishReason.STOP));
        assembler.add(ChatChunk.builder("chatcmpl-9", 42, "gpt-4o-2024").usage(Usage.of(5, 2)).build());

        ChatResponse response = assembler.response();

        assertThat(response.id()).isEqualTo("chatcmpl-9");
        assertThat(response.model()).isEqualTo("gpt-4o-2024");
        assertThat(response.created()).isEqualTo(42);
        assertThat(response.systemFingerprint()).hasValue("fp_1");
        assertThat(response.usage()).hasValue(Usage.of(5, 2));
        ChatMessage message = response.choices().get(0).message();
        assertThat(message.role()).isEqualTo(Role.ASSISTANT);
        assertThat(message.text()).isEqualTo("Hello.");
        assertThat(message.reasoningContent()).hasValue("Thinking.");
        assertThat(response.choices().get(0).finishReason()).hasValue(FinishReason.STOP);
    }

    @Test
    void joinsToolCallArgumentFragmentsPerCall() {
        event(0, delta(Optional.of(Role.ASSISTANT), Optional.empty(), Optional.empty(), List.of(
                ToolCallDelta.start(0, "call_a", "weather").withArguments(""),
                ToolCallDelta.start(1, "call_b", "time").withArguments("{\"tz\""))),
                Optional.empty());
        event(0, delta(Optional.empty(), Optional.empty(), Optional.empty(), List.of(
                ToolCallDelta.continuation(0, "{\"city\":"))),
                Optional.empty());
        event(0, delta(Optional.empty(), Optional.empty(), Optional.empty(), List.of(
                ToolCallDelta.continuation(1, ":\"CET\"}"),
                ToolCallDelta.continuation(0, "\"Oslo\"}"))),
                Optional.empty());
        event(0, Delta.EMPTY, Optional.of(FinishReason.TOOL_CALLS));

        ChatMessage message = assembler.response().choices().get(0).message();

        assertThat(message.toolCalls()).containsExactly(ToolCall.of("call_a", "weather", "{\"city\":\"Oslo\"}"),
                ToolCall.of("call_b", "time", "{\"tz\":\"CET\"}"));
        assertThat(message.content()).isEmpty();
    }

    @Test
    void keepsChoicesApartByIndex() {
        event(1, Delta.content("second"), Optional.of(FinishReason.STOP));
        event(0, Delta.content("first"), Optional.of(FinishReason.LENGTH));

        ChatResponse response = assembler.response();

        assertThat(response.choices()).extracting(choice -> choice.message().text())
                .containsExactly("first", "second");
        assertThat(response.choices().get(0).finishReason()).hasValue(FinishReason.LENGTH);
    }

    @Test
    void leavesTheFinishReasonEmptyForAStreamThatNeverFinished() {
        event(0, Delta.content("Hel"), Optional.empty());

        assertThat(assembler.response().choices().get(0).finishReason()).isEmpty();
    }
}
