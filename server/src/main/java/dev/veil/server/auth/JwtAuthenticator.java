package dev.veil.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.veil.server.config.AuthConfig;
import dev.veil.server.config.Secret;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;

/**
 * Checks JSON Web Tokens from the issuers of {@code veil.auth.jwt}: the token's {@code iss} selects the issuer, then
 * its algorithm, signature (against the issuer's JWK set), {@code exp}, {@code nbf} and {@code aud} are checked in
 * that order, and its claims become the principal. Every failure is a 401 whose code names the check; no message
 * repeats the token or any of its claims.
 */
final class JwtAuthenticator {
    /** The key id callers that present a token carry: usage and audit group them under it. */
    static final String KEY_ID = "jwt";
    /** How often an unknown {@code kid} may refetch an issuer's keys. */
    static final Duration MIN_REFETCH = Duration.ofSeconds(10);
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final int MAX_VALUE_LENGTH = 256;

    private final Map<String, Issuer> issuers = new LinkedHashMap<>();
    private final InstantSource clock;
    private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();

    private record Issuer(AuthConfig.JwtIssuer config, JwksKeys keys, Optional<SecretKeySpec> pseudonymKey) {
    }

    JwtAuthenticator(AuthConfig config, Secret masterKey, InstantSource clock) {
        this.clock = clock;
        for (AuthConfig.JwtIssuer issuer : config.jwt()) {
            issuers.put(issuer.issuer(), new Issuer(issuer, new JwksKeys(issuer.jwksUrl(), issuer.jwksTimeout(),
                    issuer.jwksRefresh(), MIN_REFETCH, clock), issuer.pseudonymousUser()
                    ? Optional.of(pseudonymKey(masterKey)) : Optional.empty()));
        }
    }

    boolean enabled() {
        return !issuers.isEmpty();
    }

    /** Whether {@code presented} has a JWT's shape: three base64url parts, the last empty for an unsigned one. */
    static boolean looksLikeJwt(String presented) {
        return presented.length() < 16 * 1024 && SHAPE.matcher(presented).matches();
    }

    Principal verify(String token) {
        return verify(token, Optional.empty());
    }

    /** As {@link #verify(String)}; {@code audience}, when given, is what {@code aud} must contain instead. */
    Principal verify(String token, Optional<String> audience) {
        JWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = JWTParser.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused("token_malformed", "The bearer token is not a well-formed JSON Web Token");
        }
        if (jwt instanceof PlainJWT) {
            throw refused("token_algorithm", "The token is unsigned (alg none); Veil accepts only signed tokens");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw refused("token_algorithm", "The token is encrypted (JWE); Veil accepts signed tokens (JWS)");
        }
        Issuer issuer = Optional.ofNullable(claims.getIssuer()).map(issuers::get).orElseThrow(() -> refused(
                "token_issuer", "The token's issuer (iss) is not one Veil trusts; see veil.auth.jwt"));
        String algorithm = signed.getHeader().getAlgorithm().getName();
        if (!issuer.config().algorithms().contains(algorithm)) {
            throw refused("token_algorithm", "The token is signed with " + safe(algorithm) + ", which this issuer's "
                    + "config does not allow; allowed: " + String.join(", ", issuer.config().algorithms()));
        }
        JWK key = issuer.keys().key(Optional.ofNullable(signed.getHeader().getKeyID()))
                .filter(jwk -> jwk.getKeyUse() == null || KeyUse.SIGNATURE.equals(jwk.getKeyUse()))
                .orElseThrow(() -> refused("token_signature", "The token is signed by a key its issuer does not "
                        + "publish (unknown kid)"));
        if (!verified(signed, key)) {
            throw refused("token_signature", "The token's signature does not verify with its issuer's key");
        }
        long now = clock.millis();
        long skew = issuer.config().clockSkew().toMillis();
        Date expires = claims.getExpirationTime();
        if (expires == null) {
            throw refused("token_expired", "The token has no expiry (exp); Veil accepts only tokens that expire");
        }
        if (now > expires.getTime() + skew) {
            throw refused("token_expired", "The token has expired; get a new one from the identity provider");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now + skew < notBefore.getTime()) {
            throw refused("token_not_yet_valid", "The token is not valid yet (nbf is in the future)");
        }
        List<String> audiences = claims.getAudience();
        String expected = audience.orElse(issuer.config().audience());
        if (audiences == null || !audiences.contains(expected)) {
            throw refused("token_audience", "The token's audience (aud) does not include '" + expected + "', the "
                    + (audience.isPresent() ? "MCP gateway's resource (veil.mcp.resource)" : "audience Veil is "
                    + "configured with for its issuer"));
        }
        return principal(issuer, claims);
    }

    private boolean verified(SignedJWT signed, JWK key) {
        try {
            if (!(key instanceof AsymmetricJWK asymmetric)) {
                return false;
            }
            JWSVerifier verifier = verifiers.createJWSVerifier(signed.getHeader(), asymmetric.toPublicKey());
            return signed.verify(verifier);
        } catch (JOSEException e) {
            return false;
        }
    }

    private Principal principal(Issuer issuer, JWTClaimsSet claims) {
        AuthConfig.Claims names = issuer.config().claims();
        String subject = text(claims, names.user()).orElseThrow(() -> missing(names.user(), "user"));
        String user = issuer.pseudonymKey().map(key -> pseudonym(key, issuer.config().issuer(), subject))
                .orElse(subject);
        String tenant = "default";
        if (names.tenant().isPresent()) {
            tenant = text(claims, names.tenant().get()).orElseThrow(() -> missing(names.tenant().get(), "tenant"));
        }
        String team = names.team().flatMap(claim -> text(claims, claim)).map(JwtAuthenticator::withoutSlash)
                .filter(value -> !value.isEmpty()).orElse("default");
        Map<String, String> labels = new LinkedHashMap<>();
        for (String label : names.labels()) {
            Object value = value(claims, label);
            if (value != null) {
                labels.put(label, bounded(value instanceof List<?> list ? String.join(",", strings(list))
                        : String.valueOf(value), label));
            }
        }
        Optional<List<String>> models = names.models().map(claim -> value(claims, claim)).map(value ->
                value instanceof List<?> list ? strings(list) : List.of(String.valueOf(value).split("[\\s,]+")));
        Set<Role> roles = EnumSet.noneOf(Role.class);
        names.roles().map(claim -> value(claims, claim)).ifPresent(value -> {
            for (String role : value instanceof List<?> list ? strings(list) : List.of(String.valueOf(value)
                    .split("[\\s,]+"))) {
                Role.named(role).ifPresent(roles::add);
            }
        });
        Caller caller = new Caller(KEY_ID, bounded(tenant, "tenant"), bounded(team, "team"), labels,
                Optional.of(bounded(user, "user")));
        return new Principal(caller, Principal.Source.JWT, models, roles,
                names.tenant().isPresent() ? Optional.of(caller.tenant()) : Optional.empty(),
                issuer.config().userLimits());
    }

    /** A claim at a dotted path ({@code realm_access.roles}); null when absent. */
    private static Object value(JWTClaimsSet claims, String path) {
        String[] parts = path.split("\\.");
        Object current = claims.getClaim(parts[0]);
        for (int i = 1; i < parts.length && current != null; i++) {
            current = current instanceof Map<?, ?> map ? map.get(parts[i]) : null;
        }
        return current;
    }

    /** A claim as one text: a string or number, or a list's first item (a groups claim). */
    private static Optional<String> text(JWTClaimsSet claims, String path) {
        Object value = value(claims, path);
        if (value instanceof List<?> list) {
            value = list.isEmpty() ? null : list.getFirst();
        }
        if (value instanceof String || value instanceof Number) {
            String text = value.toString();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        }
        return Optional.empty();
    }

    private static List<String> strings(List<?> list) {
        List<String> strings = new ArrayList<>(list.size());
        for (Object item : list) {
            if (item instanceof String || item instanceof Number) {
                strings.add(item.toString());
            }
        }
        return strings;
    }

    private static String withoutSlash(String group) {
        return group.startsWith("/") ? group.substring(1) : group;
    }

    /** Refuses a value too long or with control characters to travel into usage rows, policy input and audit. */
    private static String bounded(String value, String what) {
        if (value.length() > MAX_VALUE_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
            throw refused("token_claims", "The token's " + what + " claim is longer than " + MAX_VALUE_LENGTH
                    + " characters or holds control characters");
        }
        return value;
    }

    private static VeilException missing(String claim, String what) {
        return refused("token_claims", "The token lacks the claim '" + claim + "', which Veil's config maps to the "
                + what);
    }

    /** The user id of a pseudonymous issuer: stable per issuer and subject, unlinkable without the master key. */
    private static String pseudonym(SecretKeySpec key, String issuer, String subject) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal((issuer + "\n" + subject).getBytes(StandardCharsets.UTF_8));
            return "u-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA-256 is unavailable", e);
        }
    }

    /** A key for pseudonyms only, derived from the master key so that the pseudonyms need no key of their own. */
    private static SecretKeySpec pseudonymKey(Secret masterKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(masterKey.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return new SecretKeySpec(mac.doFinal("veil pseudonymous user id v1".getBytes(StandardCharsets.UTF_8)),
                    "HmacSHA256");
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA-256 is unavailable", e);
        }
    }

    /** An algorithm name from a header, repeated only when it is one's shape. */
    private static String safe(String algorithm) {
        return algorithm.matches("[A-Za-z0-9]{1,16}") ? algorithm : "(an unknown algorithm)";
    }

    private static VeilException refused(String code, String message) {
        return new VeilException(ErrorKind.AUTHENTICATION, message).withCode(code);
    }
}
