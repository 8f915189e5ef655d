package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/** The form the answer must take. */
public sealed interface ResponseFormat {

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
    }
}
