package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * One generated answer of a chat response.
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
}
