package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An embeddings request in canonical form.
 *
 * @param model the model name as the client sent it
 * @param input what to embed
 * @param encodingFormat {@code float} or {@code base64}, when given
 * @param dimensions the requested vector size, when given
 * @param user the end user's identifier
 * @param extensions unknown top-level fields
 */
public record EmbeddingsRequest(
        String model,
        EmbeddingInput input,
        Optional<String> encodingFormat,
        OptionalInt dimensions,
        Optional<String> user,
        Extensions extensions) {

    public EmbeddingsRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(encodingFormat, "encodingFormat");
        Objects.requireNonNull(dimensions, "dimensions");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(extensions, "extensions");
    }

    /** A copy addressed to another model name. */
    public EmbeddingsRequest withModel(String newModel) {
        return new EmbeddingsRequest(newModel, input, encodingFormat, dimensions, user, extensions);
    }
}
