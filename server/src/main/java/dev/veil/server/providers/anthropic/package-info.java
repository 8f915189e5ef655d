/**
 * Anthropic's Messages API, translated and passed through. Entry point:
 * {@link dev.veil.server.providers.anthropic.AnthropicAdapter}.
 */
package dev.veil.server.providers.anthropic;
