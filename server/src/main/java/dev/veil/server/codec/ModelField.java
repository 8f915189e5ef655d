package dev.veil.server.codec;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Replaces the top-level {@code model} value of a request body in place, leaving every other byte as the client
 * wrote it: a passthrough (Anthropic Messages, OpenAI Responses) forwards the client's body, and only an alias Veil
 * resolved may differ.
 */
public final class ModelField {
    private ModelField() {
    }

    /**
     * {@code body} with its top-level {@code model} string set to {@code model}; {@code body} itself when it already
     * names that model (however the client escaped it). The body must be a JSON object that
     * the surface's reader accepted, so it has exactly one top-level {@code model} string, and {@code model} a
     * valid model name ({@link ModelNames}): a route's target may come from the client's own {@code provider/model}.
     */
    public static byte[] rewrite(byte[] body, String model) {
        if (!ModelNames.valid(model)) {
            throw new IllegalArgumentException("the target is not a valid model name");
        }
        try (JsonParser parser = Json.factory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the body is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("model") && value == JsonToken.VALUE_STRING) {
                    int start = (int) parser.currentTokenLocation().getByteOffset();
                    if (parser.getText().equals(model)) {
                        return body;
                    }
                    return splice(body, start, closingQuote(body, start) + 1, model);
                }
                parser.skipChildren();
            }
            throw new IllegalArgumentException("the body has no top-level model string");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The index of the quote that ends the string opening at {@code start}. */
    private static int closingQuote(byte[] body, int start) {
        if (body[start] != '"') {
            throw new IllegalStateException("the model value does not start where the parser said");
        }
        for (int i = start + 1; i < body.length; i++) {
            if (body[i] == '\\') {
                i++;
            } else if (body[i] == '"') {
                return i;
            }
        }
        throw new IllegalStateException("the model value has no end");
    }

    private static byte[] splice(byte[] body, int start, int end, String model) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(model);
        byte[] rewritten = new byte[body.length - (end - start) + escaped.length + 2];
        System.arraycopy(body, 0, rewritten, 0, start);
        rewritten[start] = '"';
        System.arraycopy(escaped, 0, rewritten, start + 1, escaped.length);
        rewritten[start + 1 + escaped.length] = '"';
        System.arraycopy(body, end, rewritten, start + escaped.length + 2, body.length - end);
        return rewritten;
    }
}
