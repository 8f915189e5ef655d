package dev.veil.server.core;

import dev.veil.spi.ChatResponse;

/**
 * A complete answer a passthrough relays untranslated.
 *
 * @param body the upstream's bytes, for the client
 * @param response a canonical reading of them, for accounting and audit
 */
public record RelayedAnswer(byte[] body, ChatResponse response) {
}
