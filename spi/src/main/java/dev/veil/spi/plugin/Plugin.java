package dev.veil.spi.plugin;

/**
 * A configured plugin instance. On its own it does nothing: it takes part in an exchange through the phase
 * interfaces it implements ({@link ExchangePhase}, {@link RequestPhase}, {@link EmbeddingsPhase}, {@link DecisionPhase}, {@link InterceptPhase}, {@link AttemptPhase}, {@link ResponsePhase},
 * {@link StreamPhase}, {@link CompletionPhase}). Veil looks at which ones once, at startup, so a phase a plugin does
 * not implement costs nothing.
 *
 * <p>Instances are shared by all concurrent exchanges and must be thread-safe.
 */
public interface Plugin extends AutoCloseable {

    /**
     * Whether this plugin may be left out of the response and stream phases of {@code exchange}, because it would
     * neither change the answer nor need to see it. Asked only of plugins that implement {@link ResponsePhase} or
     * {@link StreamPhase}, once per exchange, after the intercept phase and before any provider is called.
     *
     * <p>Veil relays a provider's answer byte for byte, without translating it to the canonical model and back (the
     * Anthropic passthrough), only when every such plugin says yes; a plugin that answers {@code true} is then not
     * called in the response or stream phase of that exchange. The default, {@code false}, is always safe: the
     * answer takes the translated path and the plugin sees it as usual.
     *
     * @param exchange the exchange, with the attributes the earlier phases recorded
     * @return {@code true} when skipping this plugin's response and stream phases cannot change what the client gets
     *         nor lose anything the plugin needs
     */
    default boolean leavesAnswerAlone(Exchange exchange) {
        return false;
    }

    /** Releases what the plugin holds; called once when Veil stops. */
    @Override
    default void close() {
    }
}
