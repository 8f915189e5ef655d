package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/** One part of a message's content: text, an image, or a part type Veil forwards without interpreting. */
public sealed interface ContentPart {

    /** A text part. */
    static Text text(String text) {
        return new Text(text, Extensions.NONE);
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
    }
}
