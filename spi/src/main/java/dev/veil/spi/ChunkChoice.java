package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * One choice's part of a stream event.
 *
 * @param index the choice's position
 * @param delta what this event adds
 * @param finishReason set on the choice's last event
 * @param extensions unknown fields (for example {@code logprobs})
 */
public record ChunkChoice(int index, Delta delta, Optional<FinishReason> finishReason, Extensions extensions) {
    public ChunkChoice {
        Objects.requireNonNull(delta, "delta");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(extensions, "extensions");
    }
}
