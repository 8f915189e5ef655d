package dev.veil.server.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * One issuer's signing keys, fetched from its JWKS URL on first use and kept for {@code refresh}. A token whose
 * {@code kid} is unknown fetches the set again (the IdP rotated its keys), but at most once per {@code minInterval},
 * so a flood of tokens with made-up key ids reaches the IdP at that rate, not at the flood's.
 */
final class JwksKeys {
    private static final Logger LOGGER = Logger.getLogger(JwksKeys.class.getName());
    /** A JWK set is a few kilobytes; a larger answer is not one. */
    private static final int MAX_BYTES = 1024 * 1024;

    private final URI url;
    private final Duration timeout;
    private final Duration refresh;
    private final Duration minInterval;
    private final InstantSource clock;
    private final HttpClient client;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile JWKSet keys;
    private volatile long fetchedAtMillis;
    private volatile long lastAttemptMillis = Long.MIN_VALUE;

    JwksKeys(URI url, Duration timeout, Duration refresh, Duration minInterval, InstantSource clock) {
        this.url = url;
        this.timeout = timeout;
        this.refresh = refresh;
        this.minInterval = minInterval;
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The key {@code kid} names (or, for a token without {@code kid}, the only key of the set), if there is one. */
    Optional<JWK> key(Optional<String> kid) {
        long now = clock.millis();
        JWKSet current = keys;
        if (current == null || now - fetchedAtMillis >= refresh.toMillis()) {
            current = fetch(now, current == null);
        }
        Optional<JWK> found = find(current, kid);
        if (found.isEmpty() && current != null) {
            found = find(fetch(now, false), kid);
        }
        return found;
    }

    private static Optional<JWK> find(JWKSet set, Optional<String> kid) {
        if (set == null) {
            return Optional.empty();
        }
        if (kid.isPresent()) {
            return Optional.ofNullable(set.getKeyByKeyId(kid.get()));
        }
        List<JWK> all = set.getKeys();
        return all.size() == 1 ? Optional.of(all.getFirst()) : Optional.empty();
    }

    /**
     * Fetches the set unless another fetch ran less than {@code minInterval} ago; then the keys at hand. Without any
     * keys yet ({@code required}), a failed fetch is a 503: the token may be fine, the IdP is not reachable.
     */
    private JWKSet fetch(long now, boolean required) {
        fetching.lock();
        try {
            if (now - lastAttemptMillis < minInterval.toMillis() && lastAttemptMillis != Long.MIN_VALUE) {
                if (keys == null && required) {
                    throw unavailable();
                }
                return keys;
            }
            lastAttemptMillis = now;
            try {
                JWKSet fetched = JWKSet.parse(download());
                keys = fetched.toPublicJWKSet();
                fetchedAtMillis = now;
            } catch (IOException | ParseException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (LOGGER.isLoggable(Level.WARNING)) {
                    LOGGER.warning("cannot fetch the JWK set at " + url.getScheme() + "://" + url.getHost()
                            + (url.getPort() < 0 ? "" : ":" + url.getPort()) + url.getPath() + " ("
                            + e.getClass().getSimpleName()
                            + "); tokens of this issuer are checked against the keys fetched before, if any");
                }
                if (keys == null && required) {
                    throw unavailable();
                }
            }
            return keys;
        } finally {
            fetching.unlock();
        }
    }

    private String download() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(url).timeout(timeout)
                .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("status " + response.statusCode());
        }
        if (response.body().length > MAX_BYTES) {
            throw new IOException("answer larger than 1 MiB");
        }
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static VeilException unavailable() {
        return new VeilException(ErrorKind.UNAVAILABLE, "Veil cannot fetch the signing keys of this token's issuer "
                + "right now; retry shortly").withCode("token_keys_unavailable").withRetryAfter(5);
    }
}
