package dev.veil.spi.plugin;

/**
 * Sees every exchange as it opens, on every surface — chat completions, messages and embeddings alike — before the
 * request phase. For decisions that depend on who asks and how (the caller, its labels, the request controls and
 * metadata), not on the request's content: for example making an exchange zero-retention for a tenant, which must
 * hold for embeddings as much as for chat. Runs in config order.
 */
public interface ExchangePhase extends Plugin {
    /**
     * @param exchange the exchange, for reading and recording attributes
     * @throws dev.veil.spi.VeilException to reject the request; the client gets that error
     */
    void onExchange(Exchange exchange);
}
