package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.FinishReason;
import dev.veil.spi.ToolCallDelta;

class StreamTextRewriterTest {
    private final Placeholders placeholders = new Placeholders(Map.of("<EMAIL_1>", "ann@example.com",
            "<PERSON_1>", "O\"Neil"), "<PERSON_1>".length());
    private final StreamTextRewriter restorer = StreamTextRewriter.restoring(placeholders);
    private final List<ChatChunk> emitted = new ArrayList<>();

    @Test
    void restoresAPlaceholderSplitAcrossEvents() {
        feed(text("Write to <EM"), text("AIL_"), text("1> today"));
        assertThat(contents()).containsExactly("Write to ", "ann@example.com today");
    }

    @Test
    void holdsBackOnlyWhatCouldStillBecomeAPlaceholder() {
        feed(text("a <b> c <"), text("x"));
        assertThat(contents()).containsExactly("a <b> c ", "<x");
    }

    @Test
    void passesEventsWithoutPlaceholdersThroughUnchanged() {
        ChatChunk event = text("plain words");
        restorer.onEvent(event, emitted::add);
        assertThat(emitted).containsExactly(event);
    }

    @Test
    void releasesHeldTextWhenTheChoiceFinishes() {
        feed(text("Bye <EMAIL_"), finish());
        assertThat(contents()).containsExactly("Bye ", "<EMAIL_");
        assertThat(emitted.get(1).choices().get(0).finishReason()).contains(FinishReason.STOP);
    }

    @Test
    void releasesHeldTextWhenTheStreamEndsWithoutAFinish() {
        feed(text("Bye <PER"));
        restorer.onComplete(emitted::add);
        assertThat(contents()).containsExactly("Bye ", "<PER");
    }

    @Test
    void restoresToolCallArgumentsAsJson() {
        feed(arguments("{\"to\":\"<PERS"), arguments("ON_1>\"}"));
        assertThat(emitted).extracting(e -> e.choices().get(0).delta().toolCalls().get(0).arguments().orElseThrow())
                .containsExactly("{\"to\":\"", "O\\\"Neil\"}");
    }

    private void feed(ChatChunk... events) {
        for (ChatChunk event : events) {
            restorer.onEvent(event, emitted::add);
        }
    }

    private List<String> contents() {
        return emitted.stream().map(e -> e.choices().get(0).delta().content().orElse("")).toList();
    }

    private static ChatChunk text(String text) {
        return chunk(Delta.content(text), Optional.empty());
    }

    private static ChatChunk finish() {
        return chunk(Delta.EMPTY, Optional.of(FinishReason.STOP));
    }

    private static ChatChunk arguments(String arguments) {
        Delta delta = Delta.EMPTY.withToolCalls(List.of(ToolCallDelta.continuation(0, arguments)));
        return chunk(delta, Optional.empty());
    }

    private static ChatChunk chunk(Delta delta, Optional<FinishReason> finish) {
        ChunkChoice choice = ChunkChoice.of(0, delta);
        return ChatChunk.builder("chatcmpl-1", 1, "m")
                .choices(List.of(finish.map(choice::withFinishReason).orElse(choice))).build();
    }
}
