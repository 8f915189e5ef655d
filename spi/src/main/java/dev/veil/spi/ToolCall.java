package dev.veil.spi;

import java.util.Objects;

/**
 * A function call the model asked for. Build one with {@link #of}: the canonical constructor gains a parameter
 * whenever a field is added.
 *
 * @param id the call's id, echoed back by the tool result message
 * @param name the function's name
 * @param arguments the arguments as a JSON text, exactly as the model produced them (it may be invalid JSON)
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }

    /** The call {@code id} of function {@code name} with these arguments. */
    public static ToolCall of(String id, String name, String arguments) {
        return new ToolCall(id, name, arguments);
    }

    /** A copy with other arguments. */
    public ToolCall withArguments(String newArguments) {
        return new ToolCall(id, name, newArguments);
    }
}
