package dev.veil.spi;

import java.util.Objects;

/**
 * One embedding vector.
 *
 * @param index the position of the input it embeds
 * @param vector the vector verbatim: a JSON array of numbers, or a JSON string of base64 little-endian floats
 */
public record Embedding(int index, RawJson vector) {
    public Embedding {
        Objects.requireNonNull(vector, "vector");
    }
}
