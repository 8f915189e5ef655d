package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * One part of a message's content: text, an image, or a part type Veil forwards without interpreting.
 *
 * <p><b>Open to new kinds.</b> The interface is sealed so that Veil's own code handles every kind it knows, not so
 * that the set stays fixed: a minor version of this API may add a kind of part. A plugin's {@code switch} over parts
 * needs a {@code default} branch (an {@code instanceof} chain, an {@code else}) that leaves parts it does not know as
 * they are; a plugin compiled without one fails with {@link MatchException} when it meets a new kind.
 *
 * <p>Build parts with {@link #text}, {@link #image} and {@link #other}: a canonical constructor gains a parameter
 * whenever a field is added.
 */
public sealed interface ContentPart {

    /** A text part. */
    static Text text(String text) {
        return new Text(text, Extensions.NONE);
    }

    /** An image part, by an {@code https:} URL or a {@code data:} URL. */
    static Image image(String url) {
        return new Image(url, Optional.empty(), Extensions.NONE);
    }

    /** A part of a type Veil does not model, kept verbatim. */
    static Other other(String type, RawJson json) {
        return new Other(type, json);
    }

    /**
     * Text.
     *
     * @param text the text
     * @param extensions unknown fields of the part (for example a provider's cache control marker)
     */
    record Text(String text, Extensions extensions) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(extensions, "extensions");
        }

        /** A copy with other text, keeping the unknown fields. */
        public Text withText(String newText) {
            return new Text(newText, extensions);
        }

        /** A copy with other unknown fields, keeping the text. */
        public Text withExtensions(Extensions newExtensions) {
            return new Text(text, newExtensions);
        }
    }

    /**
     * An image, by URL or inline as a {@code data:} URL carrying base64.
     *
     * @param url an {@code https:} URL or a {@code data:<media type>;base64,<data>} URL
     * @param detail OpenAI's detail hint ({@code low}, {@code high}, {@code auto}) when given
     * @param extensions unknown fields of the part
     */
    record Image(String url, Optional<String> detail, Extensions extensions) implements ContentPart {
        public Image {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(extensions, "extensions");
        }

        /** A copy with a detail hint. */
        public Image withDetail(String newDetail) {
            return new Image(url, Optional.of(newDetail), extensions);
        }

        /** A copy with other unknown fields. */
        public Image withExtensions(Extensions newExtensions) {
            return new Image(url, detail, newExtensions);
        }
    }

    /**
     * A part of a type Veil does not model (audio, files, ...), kept verbatim for same-family providers.
     *
     * @param type the part's {@code type}
     * @param json the whole part as it arrived
     */
    record Other(String type, RawJson json) implements ContentPart {
        public Other {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(json, "json");
        }

        /** A copy of the same type holding other JSON (the part rewritten, say with personal data redacted). */
        public Other withJson(RawJson newJson) {
            return new Other(type, newJson);
        }
    }
}
