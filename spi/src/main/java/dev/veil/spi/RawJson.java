package dev.veil.spi;

import java.util.Objects;

/**
 * A JSON value kept verbatim, exactly as it arrived: an object, array, string, number, boolean or {@code null}.
 *
 * <p>Used where Veil does not interpret a value (a tool's parameter schema, a field it does not know) so that the
 * value reaches a provider of the same wire family unchanged. Parse it with any JSON library if you need to look
 * inside; never assume a particular formatting.
 *
 * @param text the JSON text; never {@code null} (the JSON literal {@code null} is the text {@code "null"})
 */
public record RawJson(String text) {
    /** The JSON literal {@code null}. */
    public static final RawJson NULL = new RawJson("null");

    public RawJson {
        Objects.requireNonNull(text, "text");
    }

    /** The JSON value written as {@code text}, taken as is: it is not parsed or checked. */
    public static RawJson of(String text) {
        return new RawJson(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
