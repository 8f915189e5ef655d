package dev.veil.spi;

import java.util.Optional;

/**
 * The author of a chat message.
 *
 * <p><b>Open to new constants.</b> A minor version of this API may add one, so a plugin's {@code switch} over it
 * needs a {@code default} branch: without one, a switch that covers every constant of today fails with
 * {@link MatchException} when it meets the new one.
 */
public enum Role {
    SYSTEM("system"),
    /** OpenAI's successor of {@code system} for reasoning models; providers without it receive {@code system}. */
    DEVELOPER("developer"),
    USER("user"),
    ASSISTANT("assistant"),
    TOOL("tool"),
    /** The legacy function-calling result role. */
    FUNCTION("function");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the OpenAI wire. */
    public String wireName() {
        return wireName;
    }

    /** The role with this OpenAI wire name. */
    public static Optional<Role> fromWireName(String name) {
        for (Role role : values()) {
            if (role.wireName.equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
