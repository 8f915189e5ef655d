package dev.veil.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A failure that reaches the client as an error in its API's shape. Plugins throw it to reject a request.
 *
 * <p>The message is shown to the client: it must never contain prompt content, personal data or secrets.
 */
public final class VeilException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final long retryAfterSeconds;

    private VeilException(ErrorKind kind, int status, String type, String message, String code, String param,
                          long retryAfterSeconds, Throwable cause) {
        super(message, cause, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A failure of this kind with a client-safe message. */
    public VeilException(ErrorKind kind, String message) {
        this(kind, kind.status(), kind.type(), message, null, null, -1, null);
    }

    /** A failure of this kind with a client-safe message and its cause, which is never shown to the client. */
    public VeilException(ErrorKind kind, String message, Throwable cause) {
        this(kind, kind.status(), kind.type(), message, null, null, -1, cause);
    }

    /** An invalid request naming the offending parameter. */
    public static VeilException invalidParam(String param, String message) {
        return new VeilException(ErrorKind.INVALID_REQUEST, 400, ErrorKind.INVALID_REQUEST.type(), message, null,
                param, -1, null);
    }

    /**
     * A client error with an explicit 4xx status, type, code and parameter, such as an upstream provider's own
     * rejection passed through to the client.
     *
     * @param status the 4xx status
     */
    public static VeilException clientError(int status, String type, String message, String code, String param) {
        ErrorKind kind = switch (status) {
            case 404 -> ErrorKind.NOT_FOUND;
            case 413 -> ErrorKind.PAYLOAD_TOO_LARGE;
            case 429 -> ErrorKind.RATE_LIMITED;
            default -> ErrorKind.INVALID_REQUEST;
        };
        return new VeilException(kind, status, type == null ? kind.type() : type, message, code, param, -1, null);
    }

    /** A copy carrying a machine-readable error code. */
    public VeilException withCode(String newCode) {
        return new VeilException(kind, status, type, getMessage(), newCode, param, retryAfterSeconds, getCause());
    }

    /** A copy telling the client how long to wait before retrying. */
    public VeilException withRetryAfter(long seconds) {
        return new VeilException(kind, status, type, getMessage(), code, param, seconds, getCause());
    }

    public ErrorKind kind() {
        return kind;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** The OpenAI-style error {@code type}. */
    public String type() {
        return type;
    }

    /** A machine-readable error code. */
    public Optional<String> code() {
        return Optional.ofNullable(code);
    }

    /** The request parameter at fault. */
    public Optional<String> param() {
        return Optional.ofNullable(param);
    }

    /** Seconds the client should wait before retrying. */
    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfterSeconds);
    }
}
