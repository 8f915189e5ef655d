package dev.veil.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An embeddings answer in canonical form. Build one with {@link #of}: the canonical constructor gains a parameter
 * whenever a field is added.
 *
 * @param model the model that answered
 * @param data one embedding per input
 * @param usage token usage, when reported
 * @param extensions unknown top-level fields
 */
public record EmbeddingsResponse(String model, List<Embedding> data, Optional<Usage> usage, Extensions extensions) {
    public EmbeddingsResponse {
        Objects.requireNonNull(model, "model");
        data = List.copyOf(data);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(extensions, "extensions");
    }

    /** An answer from {@code model} with these embeddings, without usage or unknown fields. */
    public static EmbeddingsResponse of(String model, List<Embedding> data) {
        return new EmbeddingsResponse(model, data, Optional.empty(), Extensions.NONE);
    }

    /** A copy carrying usage. */
    public EmbeddingsResponse withUsage(Usage newUsage) {
        return new EmbeddingsResponse(model, data, Optional.of(newUsage), extensions);
    }

    /** A copy naming another model. */
    public EmbeddingsResponse withModel(String newModel) {
        return new EmbeddingsResponse(newModel, data, usage, extensions);
    }
}
