package dev.veil.server.policy;

/** OPA could not decide: unreachable, too slow, or answering with an error. */
public final class PolicyUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public PolicyUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
