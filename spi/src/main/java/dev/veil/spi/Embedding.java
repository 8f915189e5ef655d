package dev.veil.spi;

import java.util.Objects;

/**
 * One embedding vector. Build one with {@link #of}: the canonical constructor gains a parameter whenever a field is
 * added.
 *
 * @param index the position of the input it embeds
 * @param vector the vector verbatim: a JSON array of numbers, or a JSON string of base64 little-endian floats
 */
public record Embedding(int index, RawJson vector) {
    public Embedding {
        Objects.requireNonNull(vector, "vector");
    }

    /** The vector embedding input {@code index}. */
    public static Embedding of(int index, RawJson vector) {
        return new Embedding(index, vector);
    }
}
