package dev.veil.spi;

import java.util.Objects;

/**
 * How the model should choose among the tools.
 *
 * <p><b>Open to new kinds.</b> The interface is sealed so that Veil's own code handles every kind it knows, not so
 * that the set stays fixed: a minor version of this API may add a kind. A plugin's {@code switch} over it needs a
 * {@code default} branch that copes with kinds it does not know; a plugin compiled without one fails with
 * {@link MatchException} when it meets a new kind.
 *
 * <p>Build one with {@link #mode}, {@link #function} or {@link #other}: a canonical constructor gains a parameter
 * whenever a field is added.
 */
public sealed interface ToolChoice {

    /** {@code none}, {@code auto} or {@code required}, as on the OpenAI wire. */
    static Mode mode(String mode) {
        return new Mode(mode);
    }

    /** Call the function {@code name}. */
    static Function function(String name) {
        return new Function(name);
    }

    /** A choice form Veil does not model, kept verbatim. */
    static Other other(RawJson json) {
        return new Other(json);
    }

    /**
     * {@code none}, {@code auto} or {@code required}.
     *
     * @param mode the mode as on the OpenAI wire
     */
    record Mode(String mode) implements ToolChoice {
        public Mode {
            Objects.requireNonNull(mode, "mode");
        }
    }

    /**
     * Call this function.
     *
     * @param name the function's name
     */
    record Function(String name) implements ToolChoice {
        public Function {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A choice form Veil does not model, kept verbatim.
     *
     * @param json the choice as it arrived
     */
    record Other(RawJson json) implements ToolChoice {
        public Other {
            Objects.requireNonNull(json, "json");
        }
    }
}
