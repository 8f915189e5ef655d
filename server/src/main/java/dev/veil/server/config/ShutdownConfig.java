package dev.veil.server.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * {@code veil.shutdown}: how Veil stops on SIGTERM. Readiness turns false at once; after {@code drainDelay}, while
 * load balancers take Veil out of rotation, the API listener closes (new connections are refused); requests and
 * streams in flight then have until {@code deadline} to finish, the audit log is flushed, and Veil exits 0. With the
 * defaults the whole takes at most 25 s, under Kubernetes' default grace period of 30 s.
 *
 * @param drainDelay how long Veil keeps accepting connections after it stopped being ready
 * @param deadline how long requests in flight may go on once the listener has closed; past it they are cut
 */
public record ShutdownConfig(Duration drainDelay, Duration deadline) {
    public static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(20);
    private static final Set<String> KEYS = Set.of("drain-delay", "deadline");

    public ShutdownConfig {
        Objects.requireNonNull(drainDelay, "drainDelay");
        Objects.requireNonNull(deadline, "deadline");
    }

    public static ShutdownConfig defaults() {
        return new ShutdownConfig(DEFAULT_DRAIN_DELAY, DEFAULT_DEADLINE);
    }

    /** {@code veil.shutdown}; every setting has a default. */
    static ShutdownConfig from(ConfigReader node) {
        node.rejectUnknown(KEYS);
        Duration drainDelay = node.duration("drain-delay").orElse(DEFAULT_DRAIN_DELAY);
        if (drainDelay.isNegative()) {
            throw node.invalid("drain-delay", "must not be negative; 0 closes the listener at once, the default is "
                    + "5s");
        }
        return new ShutdownConfig(drainDelay, node.positiveDuration("deadline").orElse(DEFAULT_DEADLINE));
    }
}
