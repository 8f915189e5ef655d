/**
 * Anthropic's Messages wire format on Veil's Anthropic surface:
 * {@link dev.veil.server.codec.anthropic.AnthropicRequests} parses,
 * {@link dev.veil.server.codec.anthropic.AnthropicMessages} writes.
 */
package dev.veil.server.codec.anthropic;
