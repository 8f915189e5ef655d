package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * A piece of a tool call in a stream. The first piece of a call carries its id and name; later pieces append to its
 * arguments. Pieces of one call share an index.
 *
 * @param index which call of the choice this piece belongs to
 * @param id the call's id, on its first piece
 * @param name the function's name, on its first piece
 * @param arguments the next fragment of the arguments' JSON text
 */
public record ToolCallDelta(int index, Optional<String> id, Optional<String> name, Optional<String> arguments) {
    public ToolCallDelta {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
