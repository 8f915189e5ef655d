package dev.veil.spi;

import java.util.Objects;

/**
 * A function call the model asked for.
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
}
