package dev.veil.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * A token issuer of the test's own: an RSA key whose JWK set a loopback HTTP server publishes, and tokens signed
 * with it (or, for the negative cases, with another key under the same key id, or not at all). It counts the fetches
 * of its JWK set.
 */
public final class LocalIssuer implements AutoCloseable {
    public static final String AUDIENCE = "veil";

    private final HttpServer server;
    private final RSAKey key;
    private final AtomicInteger fetches = new AtomicInteger();

    private LocalIssuer(HttpServer server, RSAKey key) {
        this.server = server;
        this.key = key;
    }

    public static LocalIssuer start() throws IOException, JOSEException {
        RSAKey key = new RSAKeyGenerator(2048).keyID("test-key-1").generate();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        LocalIssuer issuer = new LocalIssuer(server, key);
        server.createContext("/jwks", exchange -> {
            issuer.fetches.incrementAndGet();
            byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return issuer;
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/issuer";
    }

    public String jwksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    /** How often the JWK set was fetched. */
    public int fetches() {
        return fetches.get();
    }

    /** The claims of a valid token for {@code subject}: this issuer, audience {@code veil}, valid for five minutes. */
    public JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer()).audience(List.of(AUDIENCE, "account")).subject(subject)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now.minusSeconds(5)))
                .expirationTime(Date.from(now.plusSeconds(300)));
    }

    /** A valid token for {@code subject} with {@code extra} claims. */
    public String token(String subject, Map<String, Object> extra) {
        JWTClaimsSet.Builder claims = claims(subject);
        extra.forEach(claims::claim);
        return sign(claims.build());
    }

    /** {@code claims} signed RS256 with this issuer's key. */
    public String sign(JWTClaimsSet claims) {
        return sign(key, claims, header -> { });
    }

    /** {@code claims} signed with a key of the test's, not the issuer's, under the issuer key's id. */
    public String signWithAnotherKey(JWTClaimsSet claims) throws JOSEException {
        return sign(new RSAKeyGenerator(2048).keyID(key.getKeyID()).generate(), claims, header -> { });
    }

    /** {@code claims} signed with this issuer's key under a key id the issuer does not publish. */
    public String signWithUnknownKid(JWTClaimsSet claims, String kid) {
        return sign(key, claims, header -> header.keyID(kid));
    }

    /** {@code claims} unsigned: {@code alg: none}. */
    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    private static String sign(RSAKey with, JWTClaimsSet claims, Consumer<JWSHeader.Builder> header) {
        JWSHeader.Builder builder = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID());
        header.accept(builder);
        SignedJWT jwt = new SignedJWT(builder.build(), claims);
        try {
            jwt.sign(new RSASSASigner(with));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
