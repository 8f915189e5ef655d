package dev.veil.server.policy;

import dev.veil.spi.plugin.AttributeKey;

/**
 * What a request asks of the state Veil keeps for a conversation (the Responses API), for the policy input's
 * {@code request.conversation}.
 *
 * @param store whether the client asks Veil to keep this exchange
 * @param continues whether it continues an exchange Veil kept ({@code previous_response_id})
 */
public record ConversationRequest(boolean store, boolean continues) {
    /** Set by a surface that keeps conversations, before the policy is asked. */
    public static final AttributeKey<ConversationRequest> KEY = AttributeKey.of("conversation.request",
            ConversationRequest.class);
}
