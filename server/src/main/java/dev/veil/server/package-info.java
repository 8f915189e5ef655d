/**
 * Veil's process: {@link dev.veil.server.Main} reads the config (or the embedded default) and starts a
 * {@link dev.veil.server.VeilServer}, the Helidon web server with Veil's routes, or runs the audit CLI.
 */
package dev.veil.server;
