package dev.veil.server.auth;

import java.time.InstantSource;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.veil.server.accounting.Keys;
import dev.veil.server.config.AuthConfig;
import dev.veil.server.config.Secret;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;

/**
 * Checks what a client presents: the master key (caller {@code master} of tenant and team {@code default}), a
 * virtual key, whose tenant, team and labels become the caller, or a JSON Web Token from an issuer of
 * {@code veil.auth.jwt}, whose claims do (key id {@code jwt}, see {@link JwtAuthenticator}).
 */
public final class Authenticator {
    private static final Caller MASTER = new Caller("master", "default", "default", Map.of());
    private static final Principal MASTER_PRINCIPAL = new Principal(MASTER, Principal.Source.MASTER_KEY,
            Optional.empty(), EnumSet.of(Role.ADMIN), Optional.empty());
    private static final String BEARER = "bearer ";

    private final Secret masterKey;
    private final Keys keys;
    private final JwtAuthenticator jwt;

    /**
     * @param auth the token issuers trusted besides the keys
     * @param clock what token expiry is checked against
     */
    public Authenticator(Secret masterKey, Keys keys, AuthConfig auth, InstantSource clock) {
        this.masterKey = masterKey;
        this.keys = keys;
        this.jwt = new JwtAuthenticator(auth, masterKey, clock);
    }

    /**
     * The principal of an admin request: the master key (role admin of every tenant), a virtual key with scope
     * {@code admin} (role admin of its tenant) or a token with at least one admin role; 401 without valid
     * credentials, 403 with a key of another scope or a token without a role. Which role a route needs is the
     * admin API's to check.
     */
    public Principal authenticateAdmin(Optional<String> apiKey, Optional<String> authorization) {
        Principal principal = principal(apiKey, authorization);
        switch (principal.source()) {
            case MASTER_KEY -> {
                return principal;
            }
            case VIRTUAL_KEY -> {
                if (keys.active(principal.caller().keyId()).map(key -> !key.key().admin()).orElse(true)) {
                    throw new VeilException(ErrorKind.PERMISSION_DENIED, "This API key may not use the admin API; "
                            + "use the master key or a key with scope admin").withCode("admin_scope_required");
                }
                return new Principal(principal.caller(), principal.source(), Optional.empty(),
                        EnumSet.of(Role.ADMIN), Optional.of(principal.caller().tenant()));
            }
            case JWT -> {
                if (principal.roles().isEmpty()) {
                    throw new VeilException(ErrorKind.PERMISSION_DENIED, "This token carries no admin role; the "
                            + "admin API needs one of admin, key-admin, auditor, viewer").withCode("role_required");
                }
                return principal;
            }
            default -> throw new IllegalStateException("unknown source " + principal.source());
        }
    }

    private Principal check(String presented) {
        return check(presented, Optional.empty());
    }

    private Principal check(String presented, Optional<String> audience) {
        if (masterKey.matches(presented)) {
            return MASTER_PRINCIPAL;
        }
        if (Keys.isVirtualKey(presented)) {
            return new Principal(keys.authenticate(presented).caller(), Principal.Source.VIRTUAL_KEY,
                    Optional.empty(), Set.of(), Optional.empty());
        }
        if (jwt.enabled() && JwtAuthenticator.looksLikeJwt(presented)) {
            return jwt.verify(presented, audience);
        }
        throw new VeilException(ErrorKind.AUTHENTICATION, "Incorrect API key provided").withCode("invalid_api_key");
    }

    /**
     * The principal behind an Anthropic-style {@code x-api-key} header, or else an {@code Authorization} header value
     * (as Anthropic's SDKs send an auth token); a missing or unknown key, or a token that fails a check, is a 401.
     */
    public Principal principal(Optional<String> apiKey, Optional<String> authorization) {
        if (apiKey.isPresent()) {
            return check(apiKey.get().trim());
        }
        if (authorization.isEmpty()) {
            throw new VeilException(ErrorKind.AUTHENTICATION, "Missing API key: send it as 'x-api-key: <key>' or "
                    + "'Authorization: Bearer <key>'").withCode("missing_api_key");
        }
        return principal(authorization);
    }

    /**
     * As {@link #principal(Optional, Optional)}, for a resource with its own audience (the MCP gateway, RFC 8707): a
     * token's {@code aud} must contain {@code audience} instead of its issuer's configured audience, when given.
     */
    public Principal principal(Optional<String> apiKey, Optional<String> authorization, Optional<String> audience) {
        if (apiKey.isPresent()) {
            return check(apiKey.get().trim(), audience);
        }
        String header = authorization.orElseThrow(() -> new VeilException(ErrorKind.AUTHENTICATION,
                "Missing API key: send it as 'Authorization: Bearer <key>'").withCode("missing_api_key"));
        if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new VeilException(ErrorKind.AUTHENTICATION, "Malformed Authorization header: expected "
                    + "'Bearer <key>'").withCode("invalid_api_key");
        }
        return check(header.substring(BEARER.length()).trim(), audience);
    }

    /** The principal behind an {@code Authorization} header value; a missing or unknown key is a 401. */
    public Principal principal(Optional<String> authorization) {
        String header = authorization.orElseThrow(() -> new VeilException(ErrorKind.AUTHENTICATION,
                "Missing API key: send it as 'Authorization: Bearer <key>'").withCode("missing_api_key"));
        if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new VeilException(ErrorKind.AUTHENTICATION, "Malformed Authorization header: expected "
                    + "'Bearer <key>'").withCode("invalid_api_key");
        }
        return check(header.substring(BEARER.length()).trim());
    }

    /** The caller behind an {@code x-api-key} header, or else an {@code Authorization} header value. */
    public Caller authenticate(Optional<String> apiKey, Optional<String> authorization) {
        return principal(apiKey, authorization).caller();
    }

    /** The caller behind an {@code Authorization} header value; a missing or unknown key is a 401. */
    public Caller authenticate(Optional<String> authorization) {
        return principal(authorization).caller();
    }
}
