package dev.veil.server.audit;

/** The audit log could not do what was asked of it: its file is damaged, full or gone. */
public final class AuditException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AuditException(String message, Throwable cause) {
        super(message, cause);
    }

    public AuditException(String message) {
        super(message);
    }
}
