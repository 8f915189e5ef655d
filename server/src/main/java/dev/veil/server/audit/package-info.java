/**
 * The audit stage: the encrypted, hash-chained audit log. Entry points: {@link dev.veil.server.audit.RequestAudit} on
 * the request path, {@link dev.veil.server.audit.AuditLog} for the log itself, {@link dev.veil.server.audit.AuditCli}
 * for {@code veil audit verify|export|rotate-key}.
 */
package dev.veil.server.audit;
