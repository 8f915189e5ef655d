package dev.veil.spi;

import java.util.List;
import java.util.Objects;

/** What to embed. */
public sealed interface EmbeddingInput {

    /** How many inputs there are. */
    int size();

    /**
     * Texts.
     *
     * @param texts the texts, in order
     * @param single whether the client sent one string rather than an array
     */
    record Texts(List<String> texts, boolean single) implements EmbeddingInput {
        public Texts {
            texts = List.copyOf(texts);
        }

        @Override
        public int size() {
            return texts.size();
        }
    }

    /**
     * Token id arrays, kept verbatim: an array of integers, or an array of such arrays.
     *
     * @param json the input as it arrived
     * @param size how many inputs it holds
     */
    record Tokens(RawJson json, int size) implements EmbeddingInput {
        public Tokens {
            Objects.requireNonNull(json, "json");
        }
    }
}
