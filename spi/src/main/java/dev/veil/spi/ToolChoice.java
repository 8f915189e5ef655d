package dev.veil.spi;

import java.util.Objects;

/** How the model should choose among the tools. */
public sealed interface ToolChoice {

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
