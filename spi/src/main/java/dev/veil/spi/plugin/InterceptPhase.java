package dev.veil.spi.plugin;

import java.util.Optional;

import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;

/**
 * May answer a chat request without calling a provider (a cache, a canned reply). Runs after the policy decision,
 * in config order; the first plugin that answers ends the phase. An answer to a streaming request is replayed to
 * the client as a stream.
 */
public interface InterceptPhase extends Plugin {

    /**
     * @param request the request as the request phase left it
     * @param exchange the exchange
     * @return an answer, or empty to let the request go upstream
     */
    Optional<ChatResponse> intercept(ChatRequest request, Exchange exchange);
}
