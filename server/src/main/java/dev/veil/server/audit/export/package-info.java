/**
 * Audit export: streams the audit log's records, metadata only, to a SIEM (syslog over TLS, Splunk HEC, a generic
 * webhook), each sink from a durable cursor of its own, at least once and in chain order. The entry point is
 * {@link dev.veil.server.audit.export.AuditStreaming}; docs/audit-export.md describes the config, the fields sent and
 * the guarantees.
 */
package dev.veil.server.audit.export;
