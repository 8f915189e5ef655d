/**
 * Anthropic's Messages wire format on Veil's Anthropic surface:
 * {@link dev.veil.server.wire.anthropic.AnthropicRequests} parses,
 * {@link dev.veil.server.wire.anthropic.AnthropicMessages} writes.
 */
package dev.veil.server.wire.anthropic;
