package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * A tool the model may call.
 *
 * <p>For {@code type == "function"} the function fields are set; a tool of another type (one Veil does not model yet)
 * has an empty name and travels whole in {@code extensions} to providers of the same wire family. Build one with
 * {@link #function}: the canonical constructor gains a parameter whenever a field is added.
 *
 * @param type the tool type, {@code function} for function tools
 * @param name the function's name
 * @param description what the function does, for the model
 * @param parameters the JSON schema of the arguments
 * @param strict whether the provider must follow the schema exactly
 * @param extensions unknown fields of the function (for a non-function tool: all of the tool's fields but
 *                   {@code type})
 */
public record ToolDefinition(
        String type,
        String name,
        Optional<String> description,
        Optional<RawJson> parameters,
        Optional<Boolean> strict,
        Extensions extensions) {

    public ToolDefinition {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(strict, "strict");
        Objects.requireNonNull(extensions, "extensions");
    }

    /** A function tool. */
    public static ToolDefinition function(String name, String description, RawJson parameters) {
        return new ToolDefinition("function", name, Optional.of(description), Optional.of(parameters),
                Optional.empty(), Extensions.NONE);
    }

    /** A copy saying whether the provider must follow the schema exactly. */
    public ToolDefinition withStrict(boolean newStrict) {
        return new ToolDefinition(type, name, description, parameters, Optional.of(newStrict), extensions);
    }

    /** A copy with another description. */
    public ToolDefinition withDescription(String newDescription) {
        return new ToolDefinition(type, name, Optional.of(newDescription), parameters, strict, extensions);
    }

    /** A copy with another parameter schema. */
    public ToolDefinition withParameters(RawJson newParameters) {
        return new ToolDefinition(type, name, description, Optional.of(newParameters), strict, extensions);
    }

    /** A copy with other unknown fields. */
    public ToolDefinition withExtensions(Extensions newExtensions) {
        return new ToolDefinition(type, name, description, parameters, strict, newExtensions);
    }

    /** Whether this is a function tool, whose name, description and parameters are set. */
    public boolean isFunction() {
        return "function".equals(type);
    }
}
