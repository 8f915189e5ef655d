/**
 * Stage 2: the OpenAI-compatible surface ({@code /v1/chat/completions}, {@code /v1/embeddings}, {@code /v1/models}).
 * Entry point: {@link dev.veil.server.api.openai.OpenAiSurface}, the credentials, parser, writer and error shape each
 * endpoint hands to the pipeline; {@link dev.veil.server.api.openai.ErrorResponder} writes OpenAI's error body.
 */
package dev.veil.server.api.openai;
