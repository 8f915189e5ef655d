/**
 * The OpenAI wire format, both ways: {@link dev.veil.server.codec.openai.OpenAiRequests} parses client requests into the
 * canonical model, {@link dev.veil.server.codec.openai.OpenAiWriter} writes answers and upstream requests,
 * {@link dev.veil.server.codec.openai.OpenAiResponses} reads upstream answers.
 */
package dev.veil.server.codec.openai;
