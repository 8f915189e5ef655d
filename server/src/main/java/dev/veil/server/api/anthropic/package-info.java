/**
 * Stage 2: the Anthropic-compatible surface ({@code /v1/messages}, {@code /v1/messages/count_tokens}). Entry point:
 * {@link dev.veil.server.api.anthropic.MessagesEndpoint}, which hands Anthropic's credentials, parser, writer and
 * error shape to the pipeline, and passes a request through unchanged when its target speaks Anthropic.
 */
package dev.veil.server.api.anthropic;
