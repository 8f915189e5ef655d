package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * One generated answer of a chat response. Build one with {@link #of}: the canonical constructor gains a parameter
 * whenever a field is added.
 *
 * @param index the choice's position
 * @param message the answer, with role {@link Role#ASSISTANT}
 * @param finishReason why generation stopped
 * @param extensions unknown fields of the choice (for example {@code logprobs})
 */
public record Choice(int index, ChatMessage message, Optional<FinishReason> finishReason, Extensions extensions) {
    public Choice {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(extensions, "extensions");
    }

    /** An unfinished choice: no finish reason, no unknown fields. */
    public static Choice of(int index, ChatMessage message) {
        return new Choice(index, message, Optional.empty(), Extensions.NONE);
    }

    /** A choice that finished for {@code finishReason}. */
    public static Choice of(int index, ChatMessage message, FinishReason finishReason) {
        return new Choice(index, message, Optional.of(finishReason), Extensions.NONE);
    }

    /** A copy with another message. */
    public Choice withMessage(ChatMessage newMessage) {
        return new Choice(index, newMessage, finishReason, extensions);
    }

    /** A copy that finished for {@code newFinishReason}. */
    public Choice withFinishReason(FinishReason newFinishReason) {
        return new Choice(index, message, Optional.of(newFinishReason), extensions);
    }

    /** A copy with other unknown fields. */
    public Choice withExtensions(Extensions newExtensions) {
        return new Choice(index, message, finishReason, newExtensions);
    }
}
