package dev.veil.server.core;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

import dev.veil.server.codec.UpstreamError;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * A provider call that failed, classified so that dispatch can decide whether another candidate may be tried and
 * what the client is told.
 */
public final class UpstreamException extends Exception {
    private static final long serialVersionUID = 1L;

    /** How the call failed. */
    public enum Failure {
        /** No connection could be made. */
        CONNECT,
        /** The provider did not answer in time. */
        TIMEOUT,
        /** The connection broke while the answer was read. */
        BROKEN,
        /** The provider answered with an error status. */
        STATUS,
        /** The provider answered with something that is not its wire format. */
        MALFORMED
    }

    private static final Set<String> CONTEXT_CODES = Set.of("context_length_exceeded",
            "string_above_max_length");
    private static final Pattern CONTEXT_WORDING = Pattern.compile(
            "context length|context window|maximum context|prompt is too long|too many tokens"
            + "|exceeds the maximum number of tokens|input is too long", Pattern.CASE_INSENSITIVE);

    private final String provider;
    private final Failure failure;
    private final int status;
    private final transient Optional<UpstreamError> error;
    private final long retryAfterSeconds;

    private UpstreamException(String provider, Failure failure, int status, Optional<UpstreamError> error,
                              long retryAfterSeconds, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.provider = provider;
        this.failure = failure;
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static UpstreamException connect(String provider, Throwable cause) {
        return new UpstreamException(provider, Failure.CONNECT, 0, Optional.empty(), -1, "connect failed", cause);
    }

    public static UpstreamException timeout(String provider, Throwable cause) {
        return new UpstreamException(provider, Failure.TIMEOUT, 0, Optional.empty(), -1, "timed out", cause);
    }

    public static UpstreamException broken(String provider, Throwable cause) {
        return new UpstreamException(provider, Failure.BROKEN, 0, Optional.empty(), -1, "connection broke", cause);
    }

    public static UpstreamException malformed(String provider, String detail) {
        return new UpstreamException(provider, Failure.MALFORMED, 0, Optional.empty(), -1, detail, null);
    }

    /** An error status, with the error the upstream described and its {@code Retry-After}, if any. */
    public static UpstreamException status(String provider, int status, Optional<UpstreamError> error,
                                           OptionalLong retryAfterSeconds) {
        return new UpstreamException(provider, Failure.STATUS, status, error, retryAfterSeconds.orElse(-1),
                "HTTP " + status, null);
    }

    /** An error the upstream reported inside an otherwise successful answer, such as an error event in a stream. */
    public static UpstreamException reported(String provider, Optional<UpstreamError> error) {
        return new UpstreamException(provider, Failure.STATUS, 502, error, -1, "error event", null);
    }

    public String provider() {
        return provider;
    }

    public Failure failure() {
        return failure;
    }

    /** The upstream's HTTP status for {@link Failure#STATUS}, else 0. */
    public int status() {
        return status;
    }

    /** The error the upstream described, when it did. */
    public Optional<UpstreamError> error() {
        return error;
    }

    /** How long the upstream asked to be left alone ({@code Retry-After}), when it said. */
    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds >= 0 ? OptionalLong.of(retryAfterSeconds) : OptionalLong.empty();
    }

    /**
     * Whether the upstream rejected the request as too long for the model's context window: OpenAI's
     * {@code context_length_exceeded} code, or the wording OpenAI-compatible servers, Anthropic ("prompt is too
     * long") and Gemini ("exceeds the maximum number of tokens") use.
     */
    public boolean contextTooLong() {
        if (failure != Failure.STATUS || (status != 400 && status != 413 && status != 422)) {
            return false;
        }
        return error.map(e -> e.code().map(CONTEXT_CODES::contains).orElse(false)
                || CONTEXT_WORDING.matcher(e.message()).find()).orElse(false);
    }

    /** The failure and status, for logs: never a message, which may quote the provider's answer. */
    public String summary() {
        return status > 0 ? failure + " " + status : failure.toString();
    }

    /**
     * Whether another candidate may succeed where this one failed: the provider was unreachable, slow, overloaded or
     * rate limited, as opposed to rejecting the request itself.
     */
    public boolean retryable() {
        return switch (failure) {
            case CONNECT, TIMEOUT, BROKEN -> true;
            case MALFORMED -> false;
            case STATUS -> status == 408 || status == 429 || status >= 500;
        };
    }

    /**
     * What the client is told. An upstream's own 4xx passes through with its message: it describes the client's
     * request. Authentication failures do not: they are about Veil's provider credentials, and their messages can
     * quote parts of the key.
     */
    public VeilException toClientError() {
        String who = "provider '" + provider + "'";
        return switch (failure) {
            case CONNECT -> new VeilException(ErrorKind.UPSTREAM, who + " could not be reached", this);
            case TIMEOUT -> new VeilException(ErrorKind.UPSTREAM_TIMEOUT, who + " did not answer in time", this);
            case BROKEN -> new VeilException(ErrorKind.UPSTREAM, "the connection to " + who + " broke", this);
            case MALFORMED -> new VeilException(ErrorKind.UPSTREAM, who + " sent an answer Veil cannot read: "
                    + getMessage(), this);
            case STATUS -> statusError(who);
        };
    }

    private VeilException statusError(String who) {
        if (status == 401 || status == 403) {
            return new VeilException(ErrorKind.UPSTREAM, who + " rejected Veil's credentials (HTTP " + status
                    + "); check its credentials in the Veil config", this).withCode("upstream_authentication_failed");
        }
        if (status == 429) {
            VeilException limited = new VeilException(ErrorKind.RATE_LIMITED, who + " is rate limiting requests; "
                    + "retry later", this).withCode("upstream_rate_limited");
            return retryAfterSeconds >= 0 ? limited.withRetryAfter(retryAfterSeconds) : limited;
        }
        if (status == 408) {
            return new VeilException(ErrorKind.UPSTREAM_TIMEOUT, who + " timed out (HTTP 408)", this);
        }
        if (status >= 400 && status < 500) {
            UpstreamError upstream = error.orElse(new UpstreamError(who + " rejected the request (HTTP " + status
                    + ")", Optional.empty(), Optional.empty(), Optional.empty()));
            String message = upstream.message().isBlank() ? who + " rejected the request (HTTP " + status + ")"
                    : upstream.message();
            return VeilException.clientError(status, upstream.type().orElse(null), message,
                    upstream.code().orElse(null), upstream.param().orElse(null));
        }
        String reported = error.map(UpstreamError::message).filter(m -> !m.isBlank()).map(m -> ": " + m).orElse("");
        return new VeilException(ErrorKind.UPSTREAM, who + " failed (HTTP " + status + ")" + reported, this)
                .withCode("upstream_error");
    }
}
