package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * A piece of a tool call in a stream. The first piece of a call carries its id and name; later pieces append to its
 * arguments. Pieces of one call share an index. Build one with {@link #start} or {@link #continuation}: the canonical
 * constructor gains a parameter whenever a field is added.
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

    /** The first piece of call {@code index}, naming it, without arguments yet. */
    public static ToolCallDelta start(int index, String id, String name) {
        return new ToolCallDelta(index, Optional.of(id), Optional.of(name), Optional.empty());
    }

    /** A later piece of call {@code index}, carrying the next fragment of its arguments. */
    public static ToolCallDelta continuation(int index, String arguments) {
        return new ToolCallDelta(index, Optional.empty(), Optional.empty(), Optional.of(arguments));
    }

    /** A copy carrying another fragment of the arguments. */
    public ToolCallDelta withArguments(String newArguments) {
        return new ToolCallDelta(index, id, name, Optional.of(newArguments));
    }
}
