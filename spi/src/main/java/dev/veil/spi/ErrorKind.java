package dev.veil.spi;

/**
 * The family of failures a client can see. Each API surface maps a kind to its own error shape once; the
 * HTTP status of a kind is fixed except where an upstream's own 4xx is passed through.
 *
 * <p><b>Open to new constants.</b> A minor version of this API may add one, so a plugin's {@code switch} over it
 * needs a {@code default} branch: without one, a switch that covers every constant of today fails with
 * {@link MatchException} when it meets the new one.
 */
public enum ErrorKind {
    /** The request is malformed or asks for something invalid. */
    INVALID_REQUEST(400, "invalid_request_error"),
    /** No credentials, or credentials Veil does not accept. */
    AUTHENTICATION(401, "authentication_error"),
    /** A policy denied the request. */
    PERMISSION_DENIED(403, "permission_error"),
    /** No such model or resource. */
    NOT_FOUND(404, "not_found_error"),
    /** The request body exceeds the configured limit. */
    PAYLOAD_TOO_LARGE(413, "invalid_request_error"),
    /** A rate limit or budget is exhausted; retry later. */
    RATE_LIMITED(429, "rate_limit_error"),
    /** A fault inside Veil. */
    INTERNAL(500, "api_error"),
    /** The upstream provider failed or answered with something unusable. */
    UPSTREAM(502, "upstream_error"),
    /** Veil or a component it depends on cannot serve now. */
    UNAVAILABLE(503, "service_unavailable_error"),
    /** The upstream provider did not answer in time. */
    UPSTREAM_TIMEOUT(504, "timeout_error");

    private final int status;
    private final String type;

    ErrorKind(int status, String type) {
        this.status = status;
        this.type = type;
    }

    /** The HTTP status this kind is answered with. */
    public int status() {
        return status;
    }

    /** The OpenAI-style error {@code type}. */
    public String type() {
        return type;
    }
}
