/**
 * Veil's stable plugin API: the canonical, provider-neutral model of chat and embeddings exchanges.
 *
 * <h2>How this API evolves, and what a plugin must do to keep working</h2>
 * A plugin JAR built against SPI {@code M.m} runs on every Veil providing SPI {@code M.m} or a later minor version
 * of {@code M} (see {@link dev.veil.spi.plugin.PluginFactory}). Within a major version the API only grows: the build
 * compares it with a committed baseline and fails on any binary or source incompatible change. What may grow, and so
 * what a plugin must not assume fixed:
 * <ul>
 *   <li><b>Records gain fields.</b> Adding a component changes a record's canonical constructor, so a plugin that
 *       calls one breaks. Build SPI values through their static factories and builders ({@code of},
 *       {@code builder}, {@code toBuilder}) and change them with their {@code with...} methods, never with
 *       {@code new}. Those stay when fields are added; the canonical constructors are for Veil itself.</li>
 *   <li><b>Sealed interfaces gain kinds, enums gain constants.</b> {@link dev.veil.spi.ContentPart},
 *       {@link dev.veil.spi.ToolChoice}, {@link dev.veil.spi.ResponseFormat}, {@link dev.veil.spi.EmbeddingInput},
 *       {@link dev.veil.spi.Role}, {@link dev.veil.spi.FinishReason}, {@link dev.veil.spi.ErrorKind} and
 *       {@link dev.veil.spi.plugin.Attempt.Result} are sealed or enums so that Veil handles every kind it knows, not
 *       to close them. A plugin's {@code switch} over one needs a {@code default} branch.</li>
 *   <li><b>Interfaces gain methods</b>, always with a default, so a plugin that implements one keeps compiling and
 *       linking.</li>
 *   <li><b>Attributes gain keys</b>; a key's type stays what it is within a major version.</li>
 * </ul>
 */
package dev.veil.spi;
