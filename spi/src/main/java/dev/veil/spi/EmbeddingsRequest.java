package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An embeddings request in canonical form. Build one with {@link #of} or {@link #builder}: the canonical constructor
 * gains a parameter whenever a field is added.
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

    /** A request to embed {@code input} with {@code model}, everything else at its default. */
    public static EmbeddingsRequest of(String model, EmbeddingInput input) {
        return builder(model, input).build();
    }

    /** A builder of a request to embed {@code input} with {@code model}, everything else at its default until set. */
    public static Builder builder(String model, EmbeddingInput input) {
        return new Builder(model, input);
    }

    /** A builder holding this request's fields, for a copy that differs in some. */
    public Builder toBuilder() {
        Builder builder = new Builder(model, input);
        builder.encodingFormat = encodingFormat;
        builder.dimensions = dimensions;
        builder.user = user;
        builder.extensions = extensions;
        return builder;
    }

    /** A copy addressed to another model name. */
    public EmbeddingsRequest withModel(String newModel) {
        return new EmbeddingsRequest(newModel, input, encodingFormat, dimensions, user, extensions);
    }

    /** A copy embedding another input. */
    public EmbeddingsRequest withInput(EmbeddingInput newInput) {
        return new EmbeddingsRequest(model, newInput, encodingFormat, dimensions, user, extensions);
    }

    /** Builds an {@link EmbeddingsRequest}; each method sets the field of the same name. Not thread-safe. */
    public static final class Builder {
        private String model;
        private EmbeddingInput input;
        private Optional<String> encodingFormat = Optional.empty();
        private OptionalInt dimensions = OptionalInt.empty();
        private Optional<String> user = Optional.empty();
        private Extensions extensions = Extensions.NONE;

        private Builder(String model, EmbeddingInput input) {
            this.model = model;
            this.input = input;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder input(EmbeddingInput input) {
            this.input = input;
            return this;
        }

        public Builder encodingFormat(String encodingFormat) {
            this.encodingFormat = Optional.of(encodingFormat);
            return this;
        }

        public Builder dimensions(int dimensions) {
            this.dimensions = OptionalInt.of(dimensions);
            return this;
        }

        public Builder user(String user) {
            this.user = Optional.of(user);
            return this;
        }

        public Builder extensions(Extensions extensions) {
            this.extensions = extensions;
            return this;
        }

        public EmbeddingsRequest build() {
            return new EmbeddingsRequest(model, input, encodingFormat, dimensions, user, extensions);
        }
    }
}
