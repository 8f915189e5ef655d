package dev.veil.server.core;

import java.util.List;

import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;

/**
 * Speaks one provider's wire format: translates canonical requests out and answers back. Calls block the calling
 * (virtual) thread; failures are {@link UpstreamException}s.
 */
public interface ProviderAdapter {

    /** A complete answer from {@code model}. */
    ChatResponse chat(ChatRequest request, String model) throws UpstreamException;

    /**
     * Starts a streamed answer from {@code model}; returns once the upstream accepted the request. The caller must
     * close the stream; closing it early aborts the upstream call.
     */
    ChatStream stream(ChatRequest request, String model) throws UpstreamException;

    /** Embeddings from {@code model}. */
    EmbeddingsResponse embeddings(EmbeddingsRequest request, String model) throws UpstreamException;

    /**
     * The models this provider serves, without the provider prefix, for {@code GET /v1/models}: the configured
     * list, else what the provider lists itself (cached; may block briefly to ask it). Empty when neither is known or
     * the provider cannot be asked right now.
     */
    List<String> models();
}
