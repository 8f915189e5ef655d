/**
 * Veil's process: {@link dev.veil.server.Main} reads the config (or the embedded default) and starts a
 * {@link dev.veil.server.VeilServer}, which wires the stages below into a Helidon web server, or runs a CLI command.
 *
 * <p>A request flows through the packages in this order: {@code listener} (the HTTP/1 edge) → {@code api} (routes and
 * the OpenAI and Anthropic surfaces) → {@code pipeline} (the stages every provider-bound request runs): {@code auth},
 * {@code accounting}, {@code plugins}, {@code policy}, {@code dispatch} → {@code providers} (one adapter per upstream)
 * → {@code http} (the upstream client) and back, with {@code codec} reading and writing each wire format,
 * {@code audit} recording and {@code telemetry} tracing it. {@code core} holds the types every stage shares,
 * {@code config} and {@code storage} serve startup, {@code admin} is the admin API beside the flow.
 */
package dev.veil.server;
