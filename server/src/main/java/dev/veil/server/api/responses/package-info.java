/**
 * The OpenAI Responses API surface: {@link dev.veil.server.api.responses.ResponsesEndpoint} serves
 * {@code POST /v1/responses} through the request pipeline, relayed unchanged to OpenAI when nothing in Veil changes
 * it and translated through the canonical model otherwise;
 * {@link dev.veil.server.api.responses.StoredResponsesEndpoint} serves the responses Veil keeps ({@code GET}/{@code DELETE /v1/responses/{id}} and its input items).
 */
package dev.veil.server.api.responses;
