package dev.veil.spi;

import java.util.Optional;

/** The author of a chat message. */
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
