package dev.veil.spi.plugin;

import dev.veil.spi.ChatRequest;

/**
 * Takes part in streamed answers. For each stream Veil asks for a {@link StreamTransformer}, which then sees every
 * event in order and the end of the stream. Stream transformers run in reverse config order, each feeding the next.
 */
public interface StreamPhase extends Plugin {

    /**
     * Called once per streamed answer, before its first event.
     *
     * @param request the request as the request phase left it
     * @param exchange the exchange
     * @return the transformer for this stream, or {@link StreamTransformer#PASS_THROUGH} to stay out of it
     */
    StreamTransformer openStream(ChatRequest request, Exchange exchange);
}
