package dev.veil.spi;

import java.util.List;
import java.util.Objects;

/**
 * What to embed.
 *
 * <p><b>Open to new kinds.</b> The interface is sealed so that Veil's own code handles every kind it knows, not so
 * that the set stays fixed: a minor version of this API may add a kind. A plugin's {@code switch} over it needs a
 * {@code default} branch that copes with kinds it does not know; a plugin compiled without one fails with
 * {@link MatchException} when it meets a new kind.
 *
 * <p>Build one with {@link #texts} or {@link #tokens}: a canonical constructor gains a parameter whenever a field is
 * added.
 */
public sealed interface EmbeddingInput {

    /** Texts sent as an array. */
    static Texts texts(List<String> texts) {
        return new Texts(texts, false);
    }

    /** One text sent as a single string. */
    static Texts text(String text) {
        return new Texts(List.of(text), true);
    }

    /** Token id arrays, kept verbatim, holding {@code size} inputs. */
    static Tokens tokens(RawJson json, int size) {
        return new Tokens(json, size);
    }

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

        /** A copy with other texts, sent the same way (one string stays one string). */
        public Texts withTexts(List<String> newTexts) {
            return new Texts(newTexts, single);
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
