package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * The form the answer must take.
 *
 * <p><b>Open to new kinds.</b> The interface is sealed so that Veil's own code handles every kind it knows, not so
 * that the set stays fixed: a minor version of this API may add a kind. A plugin's {@code switch} over it needs a
 * {@code default} branch that copes with kinds it does not know; a plugin compiled without one fails with
 * {@link MatchException} when it meets a new kind.
 *
 * <p>Build one with {@link #text}, {@link #jsonObject} or {@link #jsonSchema}: a canonical constructor gains a
 * parameter whenever a field is added.
 */
public sealed interface ResponseFormat {

    /** Free text. */
    static Text text() {
        return new Text();
    }

    /** Any valid JSON object. */
    static JsonObject jsonObject() {
        return new JsonObject();
    }

    /** JSON following {@code schema}, without a description or strictness flag until set. */
    static JsonSchema jsonSchema(String name, RawJson schema) {
        return new JsonSchema(name, Optional.empty(), Optional.of(schema), Optional.empty());
    }

    /** Free text (the default). */
    record Text() implements ResponseFormat {
    }

    /** Any valid JSON object. */
    record JsonObject() implements ResponseFormat {
    }

    /**
     * JSON following a schema.
     *
     * @param name the schema's name
     * @param description what the schema is for
     * @param schema the JSON schema
     * @param strict whether the provider must follow the schema exactly
     */
    record JsonSchema(String name, Optional<String> description, Optional<RawJson> schema, Optional<Boolean> strict)
            implements ResponseFormat {
        public JsonSchema {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(strict, "strict");
        }

        /** A copy saying what the schema is for. */
        public JsonSchema withDescription(String newDescription) {
            return new JsonSchema(name, Optional.of(newDescription), schema, strict);
        }

        /** A copy with another schema. */
        public JsonSchema withSchema(RawJson newSchema) {
            return new JsonSchema(name, description, Optional.of(newSchema), strict);
        }

        /** A copy saying whether the provider must follow the schema exactly. */
        public JsonSchema withStrict(boolean newStrict) {
            return new JsonSchema(name, description, schema, Optional.of(newStrict));
        }
    }
}
