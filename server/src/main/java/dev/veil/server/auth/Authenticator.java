package dev.veil.server.auth;

import java.util.Map;
import java.util.Optional;

import dev.veil.server.config.Secret;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;

/** Checks the key a client presents. Until virtual keys exist, the master key is the only key. */
public final class Authenticator {
    private static final Caller MASTER = new Caller("master", "default", "default", Map.of());
    private static final String BEARER = "bearer ";

    private final Secret masterKey;

    public Authenticator(Secret masterKey) {
        this.masterKey = masterKey;
    }

    /**
     * The caller behind an Anthropic-style {@code x-api-key} header, or else an {@code Authorization} header value (as
     * Anthropic's SDKs send an auth token); a missing or unknown key is a 401.
     */
    public Caller authenticate(Optional<String> apiKey, Optional<String> authorization) {
        if (apiKey.isPresent()) {
            if (!masterKey.matches(apiKey.get().trim())) {
                throw new VeilException(ErrorKind.AUTHENTICATION, "Incorrect API key provided")
                        .withCode("invalid_api_key");
            }
            return MASTER;
        }
        if (authorization.isEmpty()) {
            throw new VeilException(ErrorKind.AUTHENTICATION, "Missing API key: send it as 'x-api-key: <key>' or "
                    + "'Authorization: Bearer <key>'").withCode("missing_api_key");
        }
        return authenticate(authorization);
    }

    /** The caller behind an {@code Authorization} header value; a missing or unknown key is a 401. */
    public Caller authenticate(Optional<String> authorization) {
        String header = authorization.orElseThrow(() -> new VeilException(ErrorKind.AUTHENTICATION,
                "Missing API key: send it as 'Authorization: Bearer <key>'").withCode("missing_api_key"));
        if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new VeilException(ErrorKind.AUTHENTICATION, "Malformed Authorization header: expected "
                    + "'Bearer <key>'").withCode("invalid_api_key");
        }
        if (!masterKey.matches(header.substring(BEARER.length()).trim())) {
            throw new VeilException(ErrorKind.AUTHENTICATION, "Incorrect API key provided")
                    .withCode("invalid_api_key");
        }
        return MASTER;
    }
}
