package dev.veil.spi.plugin;

import dev.veil.spi.ChatResponse;

/** Sees, and may change, each complete (non-streamed) chat answer. Runs in reverse config order. */
public interface ResponsePhase extends Plugin {

    /**
     * @param response the answer as the upstream, an interceptor or the previous plugin left it
     * @param exchange the exchange
     * @return the answer to continue with: {@code response} itself or a changed copy
     * @throws dev.veil.spi.VeilException to replace the answer with that error
     */
    ChatResponse onResponse(ChatResponse response, Exchange exchange);
}
