package dev.veil.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One event of a streamed chat answer: content and tool-call argument deltas, finish reasons, and usage.
 *
 * <p>Every provider's stream is translated into a sequence of these, in arrival order, one per upstream event where
 * the wire allows it. Usage arrives on its own event with no choices, at the end of the stream.
 *
 * @param id the provider's response id, the same on every event of a stream
 * @param created creation time, seconds since the epoch
 * @param model the model that answers, as the provider named it
 * @param choices what this event adds to each choice; empty on a usage event
 * @param usage token usage, on the final usage event
 * @param systemFingerprint the provider's backend fingerprint
 * @param extensions unknown top-level fields
 */
public record ChatChunk(
        String id,
        long created,
        String model,
        List<ChunkChoice> choices,
        Optional<Usage> usage,
        Optional<String> systemFingerprint,
        Extensions extensions) {

    public ChatChunk {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        choices = List.copyOf(choices);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(systemFingerprint, "systemFingerprint");
        Objects.requireNonNull(extensions, "extensions");
    }

    /** A copy with other choices. */
    public ChatChunk withChoices(List<ChunkChoice> newChoices) {
        return new ChatChunk(id, created, model, newChoices, usage, systemFingerprint, extensions);
    }

    /** A copy with the usage removed. */
    public ChatChunk withoutUsage() {
        return usage.isEmpty() ? this
                : new ChatChunk(id, created, model, choices, Optional.empty(), systemFingerprint, extensions);
    }

    /** A copy carrying usage. */
    public ChatChunk withUsage(Usage newUsage) {
        return new ChatChunk(id, created, model, choices, Optional.of(newUsage), systemFingerprint, extensions);
    }

    /** A copy naming another model. */
    public ChatChunk withModel(String newModel) {
        return new ChatChunk(id, created, newModel, choices, usage, systemFingerprint, extensions);
    }
}
