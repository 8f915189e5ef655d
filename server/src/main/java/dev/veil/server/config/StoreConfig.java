package dev.veil.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where accounting state (keys, tenants, teams, budgets, spend) is kept: {@code veil.store}.
 *
 * @param kind {@code veil.store.kind}: {@code sqlite} (the default, {@code keys.db} in the data dir) or
 *             {@code postgres}
 * @param postgres the PostgreSQL connection, when the kind is {@code postgres}
 */
public record StoreConfig(Kind kind, Optional<Postgres> postgres) {
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Set<String> SQLITE_KEYS = Set.of("kind");
    private static final Set<String> POSTGRES_KEYS = Set.of("kind", "url", "username", "password", "password-file",
            "pool-size", "connect-timeout");
    private static final Pattern POSTGRES_URL = Pattern.compile("jdbc:postgresql://[^/?#@]+/[^/?#]+(\\?.*)?");

    /** The store kinds {@code veil.store.kind} names. */
    public enum Kind { SQLITE, POSTGRES }

    public StoreConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(postgres, "postgres");
        if ((kind == Kind.POSTGRES) != postgres.isPresent()) {
            throw new IllegalArgumentException("a postgres store needs its connection, and only it");
        }
    }

    /**
     * A PostgreSQL database.
     *
     * @param url {@code veil.store.url}: {@code jdbc:postgresql://host:port/database}
     * @param username {@code veil.store.username}
     * @param password {@code veil.store.password} or the content of {@code veil.store.password-file}; empty for a
     *                 server that asks none (peer or trust authentication)
     * @param poolSize {@code veil.store.pool-size}: connections kept open
     * @param connectTimeout {@code veil.store.connect-timeout}: how long to wait for a connection, at startup too
     */
    public record Postgres(String url, String username, Optional<Secret> password, int poolSize,
                           Duration connectTimeout) {
        public Postgres {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
        }

        /** Host, port and database, for messages: the query string may hold credentials. */
        public String location() {
            String rest = url.substring("jdbc:postgresql://".length());
            int query = rest.indexOf('?');
            return query < 0 ? rest : rest.substring(0, query);
        }
    }

    /** The embedded default. */
    public static StoreConfig sqlite() {
        return new StoreConfig(Kind.SQLITE, Optional.empty());
    }

    /** {@code veil.store}; absent means SQLite. */
    static StoreConfig from(ConfigReader node) {
        if (!node.exists()) {
            return sqlite();
        }
        if (!node.isMap()) {
            throw node.invalid("must be a map, for example {kind: sqlite} or {kind: postgres, url: "
                    + "jdbc:postgresql://db:5432/veil, username: veil, password: ${VEIL_DB_PASSWORD}}");
        }
        String kind = node.string("kind").orElse("sqlite");
        return switch (kind) {
            case "sqlite" -> {
                node.rejectUnknown(SQLITE_KEYS);
                yield sqlite();
            }
            case "postgres" -> new StoreConfig(Kind.POSTGRES, Optional.of(postgres(node.rejectUnknown(POSTGRES_KEYS))));
            default -> throw node.invalid("kind", "unknown store '" + kind + "'; known stores: sqlite, postgres");
        };
    }

    private static Postgres postgres(ConfigReader node) {
        String url = node.string("url").orElseThrow(() -> node.invalid("url",
                "missing; a postgres store needs one, for example jdbc:postgresql://db:5432/veil"));
        if (!POSTGRES_URL.matcher(url).matches()) {
            throw node.invalid("url", "must be jdbc:postgresql://host:port/database (credentials go in username and "
                    + "password), got '"
                    + url.replaceFirst("//[^/@]*@", "//").replaceFirst("[?#].*", "") + "'");
        }
        if (url.contains("?") && url.substring(url.indexOf('?')).matches("(?i).*[?&]password=.*")) {
            throw node.invalid("url", "must not hold the password; set veil.store.password (for example "
                    + "${VEIL_DB_PASSWORD}) or veil.store.password-file instead");
        }
        String username = node.string("username").orElseThrow(() -> node.invalid("username",
                "missing; name the database user Veil connects as"));
        Optional<String> inline = node.string("password");
        Optional<String> file = node.string("password-file");
        if (inline.isPresent() && file.isPresent()) {
            throw node.invalid("password-file", "set either password or password-file, not both");
        }
        Optional<Secret> password = inline.map(Secret::new);
        if (file.isPresent()) {
            password = Optional.of(readSecret(node, "password-file", Path.of(file.get()), "the database password"));
        }
        int poolSize = node.integer("pool-size").orElse(DEFAULT_POOL_SIZE);
        if (poolSize < 1 || poolSize > 1000) {
            throw node.invalid("pool-size", "must be between 1 and 1000, got " + poolSize + "; the default is "
                    + DEFAULT_POOL_SIZE);
        }
        Duration connectTimeout = node.duration("connect-timeout").orElse(DEFAULT_CONNECT_TIMEOUT);
        if (connectTimeout.compareTo(Duration.ofMillis(250)) < 0) {
            throw node.invalid("connect-timeout", "must be at least 250ms; the default is 5s");
        }
        return new Postgres(url, username, password, poolSize, connectTimeout);
    }

    /** The content of the file {@code setting} names, trailing newline dropped; {@code what} is its content. */
    static Secret readSecret(ConfigReader node, String setting, Path file, String what) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (content.isEmpty()) {
                throw node.invalid(setting, file + " is empty; write " + what + " in it");
            }
            return new Secret(content);
        } catch (IOException e) {
            throw node.invalid(setting, "cannot read " + file + " (" + e.getClass().getSimpleName()
                    + "); check that it exists and that Veil's user may read it");
        }
    }
}
