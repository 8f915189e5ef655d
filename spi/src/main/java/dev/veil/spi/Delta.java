package dev.veil.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one stream event adds to a choice.
 *
 * @param role the author, on the first event of a choice
 * @param content the next text fragment
 * @param reasoningContent the next fragment of visible reasoning
 * @param refusal the next fragment of a refusal
 * @param toolCalls pieces of tool calls
 * @param extensions unknown fields of the delta
 */
public record Delta(
        Optional<Role> role,
        Optional<String> content,
        Optional<String> reasoningContent,
        Optional<String> refusal,
        List<ToolCallDelta> toolCalls,
        Extensions extensions) {

    /** A delta that adds nothing. */
    public static final Delta EMPTY = new Delta(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), List.of(), Extensions.NONE);

    public Delta {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(reasoningContent, "reasoningContent");
        Objects.requireNonNull(refusal, "refusal");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(extensions, "extensions");
    }

    /** A text fragment. */
    public static Delta content(String text) {
        return new Delta(Optional.empty(), Optional.of(text), Optional.empty(), Optional.empty(), List.of(),
                Extensions.NONE);
    }

    /** A copy with another text fragment. */
    public Delta withContent(String text) {
        return new Delta(role, Optional.of(text), reasoningContent, refusal, toolCalls, extensions);
    }
}
