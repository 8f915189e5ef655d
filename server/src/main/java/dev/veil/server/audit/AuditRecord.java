package dev.veil.server.audit;

/**
 * What the audit chain holds: a request to a model ({@link AuditEvent}), a change to Veil itself
 * ({@link AdminEvent}), or a tool call through the MCP gateway ({@link ToolCallEvent}). All go through the same
 * encryption and hash chain.
 */
public sealed interface AuditRecord permits AuditEvent, AdminEvent, ToolCallEvent {
    /** The id the record is known by: the request id of a model call, an {@code adm_} id of an admin change. */
    String requestId();
}
