package dev.veil.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call Veil besides the master key and virtual keys: {@code veil.auth}. Today that is JSON Web Tokens from the
 * company's identity providers ({@code veil.auth.jwt}); without the section only keys are accepted.
 *
 * @param jwt the trusted token issuers, in config order; each {@code iss} at most once
 */
public record AuthConfig(List<JwtIssuer> jwt) {
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256", "PS256");
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_JWKS_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_JWKS_REFRESH = Duration.ofMinutes(10);
    /** The asymmetric JWS algorithms Veil verifies; the HMAC ones would need the IdP's secret, {@code none} nothing. */
    static final Set<String> SUPPORTED_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512");
    private static final Set<String> AUTH_KEYS = Set.of("jwt");
    private static final Set<String> ISSUER_KEYS = Set.of("issuer", "audience", "jwks-url", "algorithms",
            "clock-skew", "claims", "pseudonymous-user", "jwks-timeout", "jwks-refresh", "user-limits");
    private static final Set<String> CLAIM_KEYS = Set.of("user", "tenant", "team", "labels", "models", "roles");
    private static final Set<String> USER_LIMIT_KEYS = Set.of("rpm", "tpm");
    /** The same bounds as a virtual key's limits. */
    static final long MAX_RPM = 1_000_000_000L;
    static final long MAX_TPM = 1_000_000_000_000L;

    public AuthConfig {
        jwt = List.copyOf(jwt);
    }

    /** No {@code veil.auth}: keys only. */
    public static AuthConfig none() {
        return new AuthConfig(List.of());
    }

    /**
     * One trusted issuer: {@code veil.auth.jwt[i]}.
     *
     * @param issuer {@code issuer}: the exact {@code iss} its tokens carry, which selects this entry
     * @param audience {@code audience}: a value the token's {@code aud} must contain
     * @param jwksUrl {@code jwks-url}: where the issuer publishes its signing keys
     * @param algorithms {@code algorithms}: the JWS algorithms accepted (default RS256, ES256, PS256)
     * @param clockSkew {@code clock-skew}: the tolerance on {@code exp} and {@code nbf} (default 60s)
     * @param claims {@code claims}: which claims become Veil's principal
     * @param pseudonymousUser {@code pseudonymous-user}: whether the user id Veil keeps is an HMAC of the user claim
     *                         (default false)
     * @param jwksTimeout {@code jwks-timeout}: how long a fetch of the key set may take (default 5s)
     * @param jwksRefresh {@code jwks-refresh}: how long fetched keys are used before they are fetched again
     *                    (default 10m); a token with an unknown {@code kid} refetches sooner, at most once
     *                    every 10 seconds
     * @param userLimits {@code user-limits}: the rate limits of each user of this issuer, counted per tenant and
     *                   user (default none)
     */
    public record JwtIssuer(String issuer, String audience, URI jwksUrl, List<String> algorithms, Duration clockSkew,
                            Claims claims, boolean pseudonymousUser, Duration jwksTimeout, Duration jwksRefresh,
                            UserLimits userLimits) {
        public JwtIssuer {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(audience, "audience");
            Objects.requireNonNull(jwksUrl, "jwksUrl");
            algorithms = List.copyOf(algorithms);
            Objects.requireNonNull(clockSkew, "clockSkew");
            Objects.requireNonNull(claims, "claims");
            Objects.requireNonNull(jwksTimeout, "jwksTimeout");
            Objects.requireNonNull(jwksRefresh, "jwksRefresh");
            Objects.requireNonNull(userLimits, "userLimits");
        }
    }

    /**
     * The rate limits of one user, in fixed one-minute windows like a virtual key's: {@code user-limits}.
     *
     * @param requestsPerMinute {@code rpm}: requests per minute; 0 for no limit
     * @param tokensPerMinute {@code tpm}: tokens (estimated at admission, actual once answered) per minute; 0 for no
     *                        limit
     */
    public record UserLimits(long requestsPerMinute, long tokensPerMinute) {
        /** No limit. */
        public static final UserLimits NONE = new UserLimits(0, 0);

        public boolean limited() {
            return requestsPerMinute > 0 || tokensPerMinute > 0;
        }
    }

    /**
     * Claim names, each a top-level claim or a dotted path into nested objects ({@code realm_access.roles}).
     *
     * @param user {@code claims.user}: the user id (default {@code sub})
     * @param tenant {@code claims.tenant}: the tenant; without it the tenant is {@code default}
     * @param team {@code claims.team}: the team, or a list (a groups claim) whose first item is; a leading {@code /}
     *             (Keycloak's group paths) is dropped; without it the team is {@code default}
     * @param labels {@code claims.labels}: claims copied into the caller's labels under their own names
     * @param models {@code claims.models}: a list (or a space- or comma-separated text) of model globs the caller may
     *               use; without it, or when the token lacks it, every model
     * @param roles {@code claims.roles}: the list of admin roles ({@code admin}, {@code key-admin}, {@code auditor},
     *              {@code viewer}); without it no token may use the admin API
     */
    public record Claims(String user, Optional<String> tenant, Optional<String> team, List<String> labels,
                         Optional<String> models, Optional<String> roles) {
        public Claims {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(team, "team");
            labels = List.copyOf(labels);
            Objects.requireNonNull(models, "models");
            Objects.requireNonNull(roles, "roles");
        }
    }

    /** {@code veil.auth}; absent means keys only. */
    static AuthConfig from(ConfigReader node) {
        if (!node.exists()) {
            return none();
        }
        node.rejectUnknown(AUTH_KEYS);
        List<JwtIssuer> issuers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ConfigReader entry : node.items("jwt", "must be a list of issuers, for example [{issuer: "
                + "https://idp.example.com/realms/bank, audience: veil, jwks-url: "
                + "https://idp.example.com/realms/bank/protocol/openid-connect/certs}]")) {
            JwtIssuer issuer = issuer(entry);
            if (!seen.add(issuer.issuer())) {
                throw entry.invalid("issuer", "'" + issuer.issuer() + "' is configured twice; a token's iss selects "
                        + "one entry");
            }
            issuers.add(issuer);
        }
        return new AuthConfig(issuers);
    }

    private static JwtIssuer issuer(ConfigReader node) {
        if (!node.isMap()) {
            throw node.invalid("must be a map with issuer, audience and jwks-url");
        }
        node.rejectUnknown(ISSUER_KEYS);
        String issuer = node.string("issuer").filter(text -> !text.isBlank()).orElseThrow(() -> node.invalid(
                "issuer", "missing; the exact iss of the IdP's tokens, for example "
                        + "https://idp.example.com/realms/bank"));
        String audience = node.string("audience").filter(text -> !text.isBlank()).orElseThrow(() -> node.invalid(
                "audience", "missing; the value the IdP puts in aud for Veil, for example veil"));
        URI jwksUrl = node.url("jwks-url").orElseThrow(() -> node.invalid("jwks-url", "missing; the IdP's JWK set, "
                + "for example https://idp.example.com/realms/bank/protocol/openid-connect/certs"));
        List<String> algorithms = node.get("algorithms").exists() ? node.strings("algorithms") : DEFAULT_ALGORITHMS;
        if (algorithms.isEmpty()) {
            throw node.invalid("algorithms", "must name at least one algorithm; the default is "
                    + String.join(", ", DEFAULT_ALGORITHMS));
        }
        for (String algorithm : algorithms) {
            String upper = algorithm.toUpperCase(Locale.ROOT);
            if (upper.equals("NONE") || upper.startsWith("HS")) {
                throw node.invalid("algorithms", "'" + algorithm + "' is refused: unsigned tokens and shared-secret "
                        + "(HMAC) signatures cannot prove who issued a token; use the IdP's asymmetric algorithms, "
                        + "for example " + String.join(", ", DEFAULT_ALGORITHMS));
            }
            if (!SUPPORTED_ALGORITHMS.contains(algorithm)) {
                throw node.invalid("algorithms", "unknown algorithm '" + algorithm + "'; known: "
                        + String.join(", ", SUPPORTED_ALGORITHMS.stream().sorted().toList()));
            }
        }
        Duration clockSkew = node.duration("clock-skew").orElse(DEFAULT_CLOCK_SKEW);
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
            throw node.invalid("clock-skew", "must be between 0s and 10m; the default is 60s");
        }
        Duration jwksTimeout = node.positiveDuration("jwks-timeout").orElse(DEFAULT_JWKS_TIMEOUT);
        Duration jwksRefresh = node.positiveDuration("jwks-refresh").orElse(DEFAULT_JWKS_REFRESH);
        return new JwtIssuer(issuer, audience, jwksUrl, algorithms, clockSkew, claims(node.get("claims")),
                node.bool("pseudonymous-user").orElse(false), jwksTimeout, jwksRefresh,
                userLimits(node.get("user-limits")));
    }

    private static UserLimits userLimits(ConfigReader node) {
        if (!node.exists()) {
            return UserLimits.NONE;
        }
        if (!node.isMap()) {
            throw node.invalid("must be a map of per-user limits, for example {rpm: 60, tpm: 100000}");
        }
        node.rejectUnknown(USER_LIMIT_KEYS);
        UserLimits limits = new UserLimits(limit(node, "rpm", MAX_RPM), limit(node, "tpm", MAX_TPM));
        if (!limits.limited()) {
            throw node.invalid("must set rpm, tpm or both above 0; leave user-limits out for no limit");
        }
        return limits;
    }

    private static long limit(ConfigReader node, String setting, long max) {
        return node.string(setting).map(text -> {
            long value;
            try {
                value = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw node.invalid(setting, "must be a whole number from 0 (no limit) to " + max + ", got '" + text
                        + "'");
            }
            if (value < 0 || value > max) {
                throw node.invalid(setting, "must be a whole number from 0 (no limit) to " + max + ", got " + value);
            }
            return value;
        }).orElse(0L);
    }

    private static Claims claims(ConfigReader node) {
        if (node.exists() && !node.isMap()) {
            throw node.invalid("must be a map, for example {user: sub, team: groups, roles: realm_access.roles}");
        }
        node.rejectUnknown(CLAIM_KEYS);
        String user = claimName(node, "user").orElse("sub");
        List<String> labels = node.strings("labels");
        for (String label : labels) {
            if (label.isBlank()) {
                throw node.invalid("labels", "a claim name must not be empty");
            }
        }
        return new Claims(user, claimName(node, "tenant"), claimName(node, "team"), labels,
                claimName(node, "models"), claimName(node, "roles"));
    }

    private static Optional<String> claimName(ConfigReader node, String setting) {
        Optional<String> name = node.string(setting);
        if (name.isPresent() && (name.get().isBlank() || name.get().startsWith(".") || name.get().endsWith("."))) {
            throw node.invalid(setting, "'" + name.get() + "' is not a claim name; write one such as sub, groups or "
                    + "realm_access.roles");
        }
        return name;
    }
}
