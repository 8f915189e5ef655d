package dev.veil.server.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** The names of a JSON object's top-level members, read without building a tree (values are skipped). */
public final class TopLevelFields {
    private TopLevelFields() {
    }

    /** The member names of {@code body}, a JSON object a surface's reader accepted. */
    public static Set<String> of(byte[] body) {
        Set<String> names = new HashSet<>();
        try (JsonParser parser = Json.factory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the body is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                names.add(parser.currentName());
                parser.nextToken();
                parser.skipChildren();
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
