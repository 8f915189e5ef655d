package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * One choice's part of a stream event. Build one with {@link #of}: the canonical constructor gains a parameter
 * whenever a field is added.
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

    /** A choice's part that does not finish it: no finish reason, no unknown fields. */
    public static ChunkChoice of(int index, Delta delta) {
        return new ChunkChoice(index, delta, Optional.empty(), Extensions.NONE);
    }

    /** A choice's last part, finishing it for {@code finishReason}. */
    public static ChunkChoice of(int index, Delta delta, FinishReason finishReason) {
        return new ChunkChoice(index, delta, Optional.of(finishReason), Extensions.NONE);
    }

    /** A copy adding another delta. */
    public ChunkChoice withDelta(Delta newDelta) {
        return new ChunkChoice(index, newDelta, finishReason, extensions);
    }

    /** A copy that finishes the choice for {@code newFinishReason}. */
    public ChunkChoice withFinishReason(FinishReason newFinishReason) {
        return new ChunkChoice(index, delta, Optional.of(newFinishReason), extensions);
    }

    /** A copy with other unknown fields. */
    public ChunkChoice withExtensions(Extensions newExtensions) {
        return new ChunkChoice(index, delta, finishReason, newExtensions);
    }
}
