/**
 * Anthropic's Messages wire format, both ways: {@link dev.veil.server.codec.anthropic.AnthropicRequests} parses client
 * requests, {@link dev.veil.server.codec.anthropic.AnthropicMessages} writes answers to Anthropic clients, and
 * {@link dev.veil.server.codec.anthropic.AnthropicWire} translates the canonical model to and from Anthropic upstreams.
 */
package dev.veil.server.codec.anthropic;
