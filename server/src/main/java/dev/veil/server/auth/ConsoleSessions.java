package dev.veil.server.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.veil.server.config.Secret;

/**
 * The operator console's sessions: the credential a person signed in with (an admin key, or an IdP token), sealed
 * into an {@code HttpOnly}, {@code SameSite=Strict} cookie with AES-GCM under a key derived from the master key, with
 * its expiry inside. Page scripts never hold the credential, and every admin call re-checks it, so a revoked key or an
 * expired token ends the session at once; replicas sharing the master key accept each other's sessions, and changing
 * the master key ends them all.
 *
 * <p>The cookie alone authenticates nothing: an admin request is taken on a session only when it also carries the
 * {@link #HEADER} header, which another site's page cannot add to a request to Veil without a CORS preflight that
 * Veil never grants. So a forged cross-site request has no credential at all.
 */
public final class ConsoleSessions {
    /** The session cookie's name. */
    public static final String COOKIE = "veil-console";
    /** The header an admin request carries to be taken on the session cookie. */
    public static final String HEADER = "X-Veil-Console";
    /** How long a session lasts at most; a token's own expiry ends it sooner. */
    public static final Duration LIFETIME = Duration.ofHours(8);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_COOKIE_CHARS = 3_800;

    private final SecretKeySpec key;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();

    /** Sessions sealed under {@code masterKey}, their expiry told by {@code clock}. */
    public ConsoleSessions(Secret masterKey, InstantSource clock) {
        this.clock = clock;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(masterKey.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            this.key = new SecretKeySpec(mac.doFinal("veil console session v1".getBytes(StandardCharsets.UTF_8)),
                    "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    /** The cookie value of a session for {@code credential}, valid for {@link #LIFETIME}. */
    public String seal(String credential) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] text = credential.getBytes(StandardCharsets.UTF_8);
        ByteBuffer plain = ByteBuffer.allocate(Long.BYTES + text.length)
                .putLong(clock.millis() + LIFETIME.toMillis()).put(text);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plain.array());
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
            if (value.length() > MAX_COOKIE_CHARS) {
                throw new IllegalArgumentException("the credential is too long for a cookie");
            }
            return value;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has AES/GCM", e);
        }
    }

    /** The credential of a session cookie this Veil sealed and that has not expired; empty for any other value. */
    public Optional<String> open(String cookie) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cookie);
            if (bytes.length <= NONCE_BYTES + Long.BYTES) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            ByteBuffer plain = ByteBuffer.wrap(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES));
            if (plain.getLong() <= clock.millis()) {
                return Optional.empty();
            }
            byte[] text = new byte[plain.remaining()];
            plain.get(text);
            return Optional.of(new String(text, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
