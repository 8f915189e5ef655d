package dev.veil.server.auth;

import java.util.Map;
import java.util.Optional;

import dev.veil.server.accounting.Keys;
import dev.veil.server.config.Secret;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;

/**
 * Checks the key a client presents: the master key (caller {@code master} of tenant and team {@code default}) or a
 * virtual key, whose tenant, team and labels become the caller.
 */
public final class Authenticator {
    private static final Caller MASTER = new Caller("master", "default", "default", Map.of());
    private static final String BEARER = "bearer ";

    private final Secret masterKey;
    private final Keys keys;

    public Authenticator(Secret masterKey, Keys keys) {
        this.masterKey = masterKey;
        this.keys = keys;
    }

    /**
     * The caller of an admin request: the master key, or a virtual key with scope {@code admin} (401 without a
     * valid key, 403 with a key of another scope), as {@code x-api-key} or {@code Authorization: Bearer}.
     */
    public Caller authenticateAdmin(Optional<String> apiKey, Optional<String> authorization) {
        Caller caller = authenticate(apiKey, authorization);
        if (caller != MASTER && keys.active(caller.keyId()).map(key -> !key.key().admin()).orElse(true)) {
            throw new VeilException(ErrorKind.PERMISSION_DENIED, "This API key may not use the admin API; use the "
                    + "master key or a key with scope admin").withCode("admin_scope_required");
        }
        return caller;
    }

    private Caller check(String presented) {
        if (masterKey.matches(presented)) {
            return MASTER;
        }
        if (Keys.isVirtualKey(presented)) {
            return keys.authenticate(presented).caller();
        }
        throw new VeilException(ErrorKind.AUTHENTICATION, "Incorrect API key provided").withCode("invalid_api_key");
    }

    /**
     * The caller behind an Anthropic-style {@code x-api-key} header, or else an {@code Authorization} header value (as
     * Anthropic's SDKs send an auth token); a missing or unknown key is a 401.
     */
    public Caller authenticate(Optional<String> apiKey, Optional<String> authorization) {
        if (apiKey.isPresent()) {
            return check(apiKey.get().trim());
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
        return check(header.substring(BEARER.length()).trim());
    }
}
