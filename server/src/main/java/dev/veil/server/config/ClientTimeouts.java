package dev.veil.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long Veil waits for a client to send ({@code veil.limits.header-timeout}, {@code body-idle-timeout},
 * {@code body-timeout}, {@code idle-timeout}). A connection that stops sending mid-request would otherwise hold its
 * connection, its request slot and its buffers for as long as it likes. These bound reading from the client only:
 * once a request is read, nothing here limits how long its answer (a stream, say) takes.
 *
 * @param header from a request's first byte until its header section is complete; past it the client gets a 408 and
 *               the connection is closed
 * @param bodyIdle the longest wait for the next byte of a request body; past it the request fails with a 408 and the
 *                 connection is closed
 * @param body from the end of a request's header section until its body is complete, however steadily it arrives;
 *             past it, as for {@code bodyIdle}
 * @param idle how long a connection may wait for its next request (or its first); past it the connection is closed
 *             without an answer, as no request is in progress
 */
public record ClientTimeouts(Duration header, Duration bodyIdle, Duration body, Duration idle) {
    public static final Duration DEFAULT_HEADER = Duration.ofSeconds(30);
    public static final Duration DEFAULT_BODY_IDLE = Duration.ofSeconds(30);
    /** A 32 MiB body in five minutes is 110 KB/s: slow for a service, fast for a client that means harm. */
    public static final Duration DEFAULT_BODY = Duration.ofMinutes(5);
    /**
     * Longer than the 60 s idle timeout of common load balancers, so that the balancer, not Veil, ends a pooled
     * connection: were Veil to close it first, a request the balancer sends on it at that moment would fail.
     */
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(75);

    public ClientTimeouts {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(bodyIdle, "bodyIdle");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(idle, "idle");
    }

    /** The timeouts under {@code veil.limits}; each must be above zero: a timeout of nothing refuses every client. */
    static ClientTimeouts from(ConfigReader limits) {
        return new ClientTimeouts(
                limits.positiveDuration("header-timeout").orElse(DEFAULT_HEADER),
                limits.positiveDuration("body-idle-timeout").orElse(DEFAULT_BODY_IDLE),
                limits.positiveDuration("body-timeout").orElse(DEFAULT_BODY),
                limits.positiveDuration("idle-timeout").orElse(DEFAULT_IDLE));
    }
}
