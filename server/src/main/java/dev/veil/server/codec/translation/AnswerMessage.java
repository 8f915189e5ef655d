package dev.veil.server.codec.translation;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;

/** The assistant message of a translated answer, from what its content blocks held. */
public final class AnswerMessage {
    private AnswerMessage() {
    }

    /**
     * The message; an answer of tool calls alone has no content part, and the thinking blocks, if any, travel
     * verbatim as {@link Thinking#BLOCKS}.
     */
    public static ChatMessage of(StringBuilder text, StringBuilder reasoning, List<ToolCall> calls,
                                 ArrayNode thinkingBlocks) {
        return of(text, reasoning, calls, thinkingBlocks.isEmpty() ? Extensions.NONE
                : Extensions.of(Map.of(Thinking.BLOCKS, new RawJson(WireJson.text(thinkingBlocks)))));
    }

    /** The message of an answer whose provider gives no thinking blocks back. */
    public static ChatMessage of(StringBuilder text, StringBuilder reasoning, List<ToolCall> calls) {
        return of(text, reasoning, calls, Extensions.NONE);
    }

    private static ChatMessage of(StringBuilder text, StringBuilder reasoning, List<ToolCall> calls,
                                  Extensions extensions) {
        List<ContentPart> content = text.isEmpty() && !calls.isEmpty() ? List.of()
                : List.of(ContentPart.text(text.toString()));
        return new ChatMessage(Role.ASSISTANT, content, Optional.empty(), calls, Optional.empty(),
                reasoning.isEmpty() ? Optional.empty() : Optional.of(reasoning.toString()), Optional.empty(),
                extensions);
    }
}
