package dev.veil.server.audit;

/**
 * What the audit chain holds: a request to a model ({@link AuditEvent}) or a change to Veil itself
 * ({@link AdminEvent}). Both go through the same encryption and hash chain.
 */
public sealed interface AuditRecord permits AuditEvent, AdminEvent {
    /** The id the record is known by: the request id of a model call, an {@code adm_} id of an admin change. */
    String requestId();
}
