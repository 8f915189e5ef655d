package dev.veil.spi.plugin;

/**
 * A plugin that pseudonymizes text outside a model request: what tools return through Veil's MCP gateway, before it
 * reaches the agent (and so a model). Veil asks every configured plugin that implements it, in configured order, each
 * continuing from the pseudonyms the previous one returned.
 *
 * <p>Placeholders are handed out from {@code conversation}: a value it already holds keeps its placeholder, and new
 * values of a type are numbered after its highest, so that a placeholder means one value across the tool results and
 * model calls of one conversation. Veil restores placeholders itself, from the pseudonyms it keeps.
 *
 * <p>Called on request threads, concurrently; implementations must be thread-safe and must not keep the text or the
 * pseudonyms.
 */
public interface TextPhase {
    /**
     * {@code text} with the personal data this plugin finds replaced by placeholders.
     *
     * @param text         a text a tool returned
     * @param conversation the placeholders handed out so far in the conversation; {@link Pseudonyms#NONE} at first
     * @return the text as the agent may see it, the counts of what was found by type, and the conversation's
     *         placeholders with those handed out here
     * @throws dev.veil.spi.VeilException when the text holds more personal data than the plugin is configured to
     *                                    handle
     */
    PseudonymizedText pseudonymize(String text, Pseudonyms conversation);
}
