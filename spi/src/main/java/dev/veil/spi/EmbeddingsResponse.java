package dev.veil.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An embeddings answer in canonical form.
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

    /** A copy naming another model. */
    public EmbeddingsResponse withModel(String newModel) {
        return new EmbeddingsResponse(newModel, data, usage, extensions);
    }
}
