package dev.veil.spi.plugin;

import dev.veil.spi.EmbeddingsRequest;

/**
 * Sees, and may change or reject, each embeddings request before the policy check, in config order. Embeddings
 * inputs are text a provider receives like any prompt — documents being indexed, queries — so a plugin that keeps
 * data from leaving applies here too. There is no answer to restore: the provider returns vectors.
 */
public interface EmbeddingsPhase extends Plugin {
    /**
     * @param request the request as the previous plugin left it
     * @param exchange the exchange, for reading and recording attributes
     * @return the request to continue with: {@code request} itself or a changed copy
     * @throws dev.veil.spi.VeilException to reject the request; the client gets that error
     */
    EmbeddingsRequest onEmbeddings(EmbeddingsRequest request, Exchange exchange);
}
