package dev.veil.spi.plugin;

/**
 * Sees the final outcome of every exchange — answered, rejected, failed, or abandoned by the client — for accounting
 * and metrics. Runs in reverse config order after the client has its answer; it cannot change the answer, and what it
 * throws is logged and otherwise ignored.
 */
public interface CompletionPhase extends Plugin {

    /**
     * @param outcome what happened
     * @param exchange the exchange, with every attribute recorded along the way
     */
    void onCompletion(Outcome outcome, Exchange exchange);
}
