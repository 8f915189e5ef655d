package dev.veil.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Rate limits and budget reservations shared by every replica, in Redis (or Valkey): {@code veil.limits.shared}.
 *
 * @param url {@code url}: {@code redis://host:port[/db]}, or {@code rediss://} for TLS; never with a password
 * @param password {@code password}, or the content of {@code password-file}; empty for a server that asks none
 * @param failMode {@code fail-mode}: what a request that needs the shared state gets while Redis is unreachable
 * @param timeout {@code timeout}: how long one round trip to Redis may take before it counts as unreachable
 * @param lease {@code lease}: how long a reservation outlives its replica; longer than any request may last
 * @param poolSize {@code pool-size}: connections each replica keeps
 */
public record SharedLimitsConfig(URI url, Optional<Secret> password, FailMode failMode, Duration timeout,
                                 Duration lease, int poolSize) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(10);
    /** Two per request in flight at 64 connections and more: its admission, and the previous one's settlement. */
    public static final int DEFAULT_POOL_SIZE = 256;
    private static final Set<String> KEYS = Set.of("kind", "url", "password", "password-file", "fail-mode",
            "timeout", "lease", "pool-size");

    /** What happens to a request that needs the shared state while Redis cannot be reached. */
    public enum FailMode {
        /** Refused with 503 {@code limits_unavailable}: no request escapes its limits. */
        CLOSED,
        /** Limited by this replica alone, in memory, until Redis is back: served, never unlimited. */
        OPEN
    }

    public SharedLimitsConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(failMode, "failMode");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(lease, "lease");
    }

    /** Host and port, for messages: never the password. */
    public String location() {
        return url.getHost() + ":" + url.getPort();
    }

    public boolean tls() {
        return url.getScheme().equals("rediss");
    }

    /** The database number the URL's path names, 0 when it names none. */
    public int database() {
        String path = url.getPath();
        return path == null || path.isEmpty() || path.equals("/") ? 0 : Integer.parseInt(path.substring(1));
    }

    /** {@code veil.limits.shared}, when present; it needs {@code store}, the database replicas share. */
    static Optional<SharedLimitsConfig> from(ConfigReader node, StoreConfig store) {
        if (!node.exists()) {
            return Optional.empty();
        }
        if (!node.isMap()) {
            throw node.invalid("must be a map, for example {kind: redis, url: redis://redis:6379, password: "
                    + "${VEIL_REDIS_PASSWORD}}");
        }
        node.rejectUnknown(KEYS);
        String kind = node.string("kind").orElseThrow(() -> node.invalid("kind", "missing; the only kind is redis"));
        if (!kind.equals("redis")) {
            throw node.invalid("kind", "unknown kind '" + kind + "'; the only kind is redis (Valkey speaks it too)");
        }
        if (store.kind() != StoreConfig.Kind.POSTGRES) {
            throw node.invalid("kind", "shared limits need a store the replicas share: set veil.store.kind to "
                    + "postgres (with keys.db each replica would keep its own keys and spend)");
        }
        URI url = url(node);
        Optional<String> inline = node.string("password");
        Optional<String> file = node.string("password-file");
        if (inline.isPresent() && file.isPresent()) {
            throw node.invalid("password-file", "set either password or password-file, not both");
        }
        Optional<Secret> password = inline.map(Secret::new);
        if (file.isPresent()) {
            password = Optional.of(StoreConfig.readSecret(node, "password-file", Path.of(file.get()),
                    "the Redis password"));
        }
        String mode = node.string("fail-mode").orElse("closed");
        FailMode failMode = switch (mode) {
            case "closed" -> FailMode.CLOSED;
            case "open" -> FailMode.OPEN;
            default -> throw node.invalid("fail-mode", "must be closed (refuse with 503 limits_unavailable) or open "
                    + "(limit per replica until Redis is back), got '" + mode + "'");
        };
        Duration timeout = node.duration("timeout").orElse(DEFAULT_TIMEOUT);
        if (timeout.compareTo(Duration.ofMillis(10)) < 0 || timeout.compareTo(Duration.ofSeconds(30)) > 0) {
            throw node.invalid("timeout", "must be between 10ms and 30s; the default is 500ms");
        }
        Duration lease = node.duration("lease").orElse(DEFAULT_LEASE);
        if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofDays(1)) > 0) {
            throw node.invalid("lease", "must be between 1s and 1d, and longer than any request may last; the "
                    + "default is 10m");
        }
        int poolSize = node.integer("pool-size").orElse(DEFAULT_POOL_SIZE);
        if (poolSize < 1 || poolSize > 1000) {
            throw node.invalid("pool-size", "must be between 1 and 1000, got " + poolSize + "; the default is "
                    + DEFAULT_POOL_SIZE);
        }
        return Optional.of(new SharedLimitsConfig(url, password, failMode, timeout, lease, poolSize));
    }

    private static URI url(ConfigReader node) {
        String text = node.string("url").orElseThrow(() -> node.invalid("url",
                "missing; for example redis://redis:6379 (rediss:// for TLS)"));
        String shown = text.replaceFirst("//[^/@]*@", "//");
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw node.invalid("url", "is not a URL: '" + shown + "'; for example redis://redis:6379");
        }
        if (url.getRawUserInfo() != null) {
            throw node.invalid("url", "must not hold credentials; set veil.limits.shared.password (for example "
                    + "${VEIL_REDIS_PASSWORD}) or password-file instead");
        }
        if (!("redis".equals(url.getScheme()) || "rediss".equals(url.getScheme())) || url.getHost() == null
                || url.getPort() < 1 || url.getRawQuery() != null || url.getRawFragment() != null
                || !(url.getPath() == null || url.getPath().matches("(/([0-9]|1[0-5])?)?"))) {
            throw node.invalid("url", "must be redis://host:port or redis://host:port/db (db 0-15; rediss:// for "
                    + "TLS), got '" + shown + "'");
        }
        return url;
    }
}
