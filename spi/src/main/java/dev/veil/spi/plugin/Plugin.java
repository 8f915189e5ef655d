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

    /** Releases what the plugin holds; called once when Veil stops. */
    @Override
    default void close() {
    }
}
