package dev.veil.server.policy;

import java.util.Locale;
import java.util.Optional;

import dev.veil.spi.plugin.AttributeKey;

/**
 * Where Veil may keep the state of a conversation it holds for the client (the Responses API's stored responses), as
 * the policy's {@code conversation_state} decides: on disk encrypted, in memory for a short time, or not at all. A
 * policy that says nothing leaves it to zero retention: memory under it, disk otherwise.
 */
public enum ConversationState {
    /** Encrypted on disk until its TTL. */
    DISK,
    /** In memory only, for a short TTL; nothing reaches the disk. */
    MEMORY,
    /** Nowhere: a request that asks Veil to keep state is refused. */
    NONE;

    /** The policy's choice for an exchange, when it made one. */
    public static final AttributeKey<ConversationState> KEY = AttributeKey.of("policy.conversation_state",
            ConversationState.class);

    /** The name in a policy decision. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The state a decision names. A name Veil does not know keeps nothing: a misspelt {@code "memroy"} must not end
     * up on disk.
     */
    static ConversationState fromDecision(String name) {
        for (ConversationState state : values()) {
            if (state.wireName().equals(name)) {
                return state;
            }
        }
        return NONE;
    }

    /** What applies when the policy did not say: zero retention keeps state in memory only. */
    private static ConversationState byDefault(boolean zeroRetention) {
        return zeroRetention ? MEMORY : DISK;
    }

    /** The state of an exchange: the policy's choice, else the default for its zero-retention flag. */
    public static ConversationState of(Optional<ConversationState> decided, boolean zeroRetention) {
        ConversationState fallback = byDefault(zeroRetention);
        // Zero retention can only narrow what the policy allows, never widen memory to disk.
        return decided.map(state -> zeroRetention && state == DISK ? MEMORY : state).orElse(fallback);
    }
}
