/**
 * The OpenAI wire format, both ways: {@link dev.veil.server.wire.OpenAiRequests} parses client requests into the
 * canonical model, {@link dev.veil.server.wire.OpenAiWriter} writes answers and upstream requests.
 */
package dev.veil.server.wire;
