package dev.veil.plugins.cache;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import dev.veil.spi.plugin.PluginSettings;

/**
 * The validated settings of the shared tier ({@code shared:} in the plugin's settings): where Redis is, how to log in,
 * and the key that seals what is stored there.
 *
 * @param tls whether the URL's scheme is {@code rediss}
 * @param host Redis's host, without the brackets of an IPv6 literal
 * @param port Redis's port
 * @param database the database number, the URL's path
 * @param username the ACL user, when not the default one
 * @param password {@code password} or the content of {@code password-file}
 * @param key the 256-bit AES key, {@code key} or the content of {@code key-file}, decoded from base64
 * @param timeout how long one Redis operation may take, connecting included, before it counts as failed
 * @param ttl how long Redis keeps an answer
 * @param poolSize the most connections to Redis open at once
 */
record SharedSettings(boolean tls, String host, int port, int database, Optional<String> username,
                      Optional<String> password, byte[] key, Duration timeout, Duration ttl, int poolSize) {
    static final int KEY_BYTES = 32;
    static final int DEFAULT_PORT = 6379;
    static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
    /**
     * The longest {@code timeout}: a lookup that must first connect waits for the pool, the connection, {@code AUTH},
     * {@code SELECT} and {@code GET}, each up to the timeout, and all of it must end well inside the plugin entry's
     * own {@code timeout} (1s by default), past which Veil abandons the call and fails the request.
     */
    static final Duration MAX_TIMEOUT = Duration.ofMillis(250);
    static final int DEFAULT_POOL_SIZE = 32;
    static final Set<String> KEYS = Set.of("kind", "url", "username", "password", "password-file", "key", "key-file",
            "timeout", "ttl", "pool-size");

    SharedSettings {
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    /** Where Redis is, for messages: never the credentials. */
    String location() {
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "rediss://" : "redis://") + shownHost + ":" + port + "/" + database;
    }

    /** Reads and checks the {@code shared} section; a bad value fails with a message naming its key. */
    static SharedSettings from(PluginSettings settings, Duration cacheTtl) {
        settings.rejectUnknown(KEYS);
        String kind = settings.string("kind").orElseThrow(() -> settings.invalid("kind",
                "is required; the only kind is redis (Redis or Valkey), as in {kind: redis, url: redis://cache:6379}"));
        if (!kind.trim().equals("redis")) {
            throw settings.invalid("kind", "unknown kind '" + kind + "'; the only kind is redis (Redis or Valkey)");
        }
        URI url = url(settings);
        boolean tls = url.getScheme().equals("rediss");
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
                : url.getHost();
        int port = url.getPort() < 0 ? DEFAULT_PORT : url.getPort();
        int database = database(settings, url);
        Optional<String> username = settings.string("username").map(String::trim).filter(name -> !name.isEmpty());
        Optional<String> password = secret(settings, "password", "password-file", "the Redis password");
        byte[] key = key(settings);
        Duration timeout = settings.duration("timeout", DEFAULT_TIMEOUT);
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw settings.invalid("timeout", "must be between 1ms and 250ms, such as 100ms (the default): each "
                    + "Redis operation waits this long at most before the cache answers from memory alone, and a "
                    + "lookup must end well inside the plugin's own timeout");
        }
        Duration ttl = settings.duration("ttl", cacheTtl);
        if (ttl.toMillis() < 1) {
            throw settings.invalid("ttl", "must be at least 1ms, such as 1h; by default the cache's ttl");
        }
        long poolSize = settings.integer("pool-size", DEFAULT_POOL_SIZE);
        if (poolSize < 1 || poolSize > 1024) {
            throw settings.invalid("pool-size", "must be between 1 and 1024, got " + poolSize + "; the default is "
                    + DEFAULT_POOL_SIZE);
        }
        return new SharedSettings(tls, host, port, database, username, password, key, timeout, ttl, (int) poolSize);
    }

    private static URI url(PluginSettings settings) {
        String text = settings.string("url").orElseThrow(() -> settings.invalid("url",
                "is required, as redis://host:port/database (rediss:// for TLS), such as redis://cache:6379/0"))
                .trim();
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw settings.invalid("url", "is not a URL; write redis://host:port/database (rediss:// for TLS)");
        }
        if (url.getRawUserInfo() != null) {
            throw settings.invalid("url", "must not hold credentials; set password (for example "
                    + "${VEIL_REDIS_PASSWORD}) or password-file, and username for an ACL user, instead");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme();
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw settings.invalid("url", "must start with redis:// (or rediss:// for TLS), got '"
                    + (scheme.isEmpty() ? "no scheme" : scheme + "://") + "'");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw settings.invalid("url", "names no host; write redis://host:port/database, such as "
                    + "redis://cache:6379/0");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw settings.invalid("url", "must have no query or fragment; write redis://host:port/database and set "
                    + "the other settings beside url");
        }
        return url;
    }

    private static int database(PluginSettings settings, URI url) {
        String path = url.getPath() == null ? "" : url.getPath();
        if (path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String number = path.substring(1);
        if (!number.matches("\\d{1,5}")) {
            throw settings.invalid("url", "has path '" + path + "', which is not a database number; write "
                    + "redis://host:port/0 (or leave the path out for database 0)");
        }
        return Integer.parseInt(number);
    }

    private static byte[] key(PluginSettings settings) {
        String encoded = secret(settings, "key", "key-file", "the key").orElseThrow(() -> settings.invalid("key",
                "is required: a 256-bit AES key in base64, the same on every replica (make one with: "
                        + "openssl rand -base64 32); set key (for example ${VEIL_CACHE_KEY}) or key-file"));
        String name = settings.string("key-file").isPresent() ? "key-file" : "key";
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            throw settings.invalid(name, "is not base64; it must be a 256-bit AES key in base64 (make one with: "
                    + "openssl rand -base64 32)");
        }
        if (key.length != KEY_BYTES) {
            throw settings.invalid(name, "must be a 256-bit AES key (32 bytes) in base64, got " + key.length
                    + " bytes (make one with: openssl rand -base64 32)");
        }
        return key;
    }

    /** A secret given inline or in a file, never both; {@code what} names it in messages. */
    private static Optional<String> secret(PluginSettings settings, String inlineName, String fileName, String what) {
        Optional<String> inline = settings.string(inlineName);
        Optional<String> file = settings.string(fileName);
        if (inline.isPresent() && file.isPresent()) {
            throw settings.invalid(fileName, "set either " + inlineName + " or " + fileName + ", not both");
        }
        if (file.isEmpty()) {
            return inline.filter(value -> !value.isBlank());
        }
        Path path = Path.of(file.get().trim());
        String content;
        try {
            content = Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw settings.invalid(fileName, "cannot read " + path + " (" + e.getClass().getSimpleName()
                    + "); check that it exists and that Veil's user may read it");
        }
        if (content.isEmpty()) {
            throw settings.invalid(fileName, path + " is empty; write " + what + " in it");
        }
        return Optional.of(content);
    }

    /** Without the password and the key: settings end up in logs and test failures. */
    @Override
    public String toString() {
        return "SharedSettings[" + location() + ", username=" + username.orElse("(default)") + ", password="
                + (password.isPresent() ? "(set)" : "(none)") + ", key=(set), timeout=" + timeout + ", ttl=" + ttl
                + ", poolSize=" + poolSize + "]";
    }
}
