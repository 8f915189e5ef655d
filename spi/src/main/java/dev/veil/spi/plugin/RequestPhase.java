package dev.veil.spi.plugin;

import dev.veil.spi.ChatRequest;

/** Sees, and may change or reject, each chat request before the policy check and routing. */
public interface RequestPhase extends Plugin {

    /**
     * Called in config order.
     *
     * @param request the request as the previous plugin left it
     * @param exchange the exchange, for reading and recording attributes
     * @return the request to continue with: {@code request} itself or a changed copy
     * @throws dev.veil.spi.VeilException to reject the request; the client gets that error
     */
    ChatRequest onRequest(ChatRequest request, Exchange exchange);
}
