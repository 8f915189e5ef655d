/**
 * The plugin API: how code outside Veil's core takes part in every chat exchange.
 *
 * <p>A plugin JAR provides a {@link dev.veil.spi.plugin.PluginFactory} through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.veil.spi.plugin.PluginFactory}). Veil creates one {@link dev.veil.spi.plugin.Plugin}
 * per entry of {@code veil.plugins} in its config, and calls it in the phases it implements:
 * <ol>
 *   <li>{@link dev.veil.spi.plugin.ExchangePhase}: in config order, as each exchange opens, on every surface;</li>
 *   <li>{@link dev.veil.spi.plugin.RequestPhase}: in config order, before the policy check and routing;</li>
 *   <li>{@link dev.veil.spi.plugin.EmbeddingsPhase}: for embeddings requests instead, in config order, before the
 *       policy check;</li>
 *   <li>{@link dev.veil.spi.plugin.DecisionPhase}: in config order, after the policy decision; applies it;</li>
 *   <li>{@link dev.veil.spi.plugin.InterceptPhase}: in config order, after the decision phase; may answer;</li>
 *   <li>{@link dev.veil.spi.plugin.AttemptPhase}: in config order, after each attempt to reach a provider;</li>
 *   <li>{@link dev.veil.spi.plugin.ResponsePhase} or {@link dev.veil.spi.plugin.StreamPhase}: in reverse order;</li>
 *   <li>{@link dev.veil.spi.plugin.CompletionPhase}: in reverse order, once the outcome is known.</li>
 * </ol>
 * Plugins share what they learn through typed {@link dev.veil.spi.plugin.Exchange} attributes.
 *
 * <p>Threading: one exchange's phases run one after another, each call on a virtual thread of its own (stream
 * events on the request's thread); different exchanges run concurrently, so a plugin instance must be thread-safe and
 * must not keep per-request state in thread locals. Blocking is allowed; a call that does not answer within the
 * entry's {@code timeout} is interrupted and abandoned.
 *
 * <p>A plugin class loader is not a sandbox: a plugin is trusted code running inside Veil.
 *
 * <p>How the API may change within a major version, and what a plugin must do to keep working on later Veils
 * (factories instead of constructors, a {@code default} branch in every switch over an SPI type), is in
 * {@link dev.veil.spi}; how versions are checked is in {@link dev.veil.spi.plugin.PluginFactory}.
 */
package dev.veil.spi.plugin;
