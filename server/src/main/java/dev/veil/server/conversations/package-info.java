/**
 * Conversation state of the Responses API ({@code previous_response_id}): responses kept per tenant, encrypted on
 * disk under the audit log's key management, or in memory only under zero retention, each for a TTL. Entry point:
 * {@link dev.veil.server.conversations.Conversations}.
 */
package dev.veil.server.conversations;
