package dev.veil.plugins.pii;

import java.util.Locale;
import java.util.Optional;

/** What happens to a piece of personal data of one type before the request leaves Veil. */
public enum RedactionMode {
    /**
     * Replaced by a placeholder such as {@code <EMAIL_1>}, stable per distinct value within the request, and put back
     * in the answer. The model still sees that two mentions are the same person.
     */
    PSEUDONYMIZE,
    /** Letters and digits replaced by {@code *}, separators kept; not restored. */
    MASK,
    /** Replaced by a keyed hash, stable across requests for the same key, so that records can be joined; not restored. */
    HASH,
    /** The request is refused with a 400 naming the types found. */
    BLOCK;

    /** The mode's name as written in config and policy decisions. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode for a config or decision value, if it names one. */
    public static Optional<RedactionMode> parse(String text) {
        for (RedactionMode mode : values()) {
            if (mode.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
