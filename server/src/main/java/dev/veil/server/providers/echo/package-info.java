/**
 * The built-in {@code veil/echo} model, which answers with the prompt. Entry point:
 * {@link dev.veil.server.providers.echo.EchoAdapter}.
 */
package dev.veil.server.providers.echo;
