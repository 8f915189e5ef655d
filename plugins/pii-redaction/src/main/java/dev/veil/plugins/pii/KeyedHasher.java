package dev.veil.plugins.pii;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA-256 of a value under the operator's key, shortened for readability. Keyed, so that nobody without the
 * key can confirm a guess ("is this the hash of alice@example.com?") the way a plain hash would allow.
 */
final class KeyedHasher {
    private static final int HEX_CHARS = 16;

    private final SecretKeySpec key;

    KeyedHasher(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** The hash of {@code value} as {@code type}: the same value hashes differently under different types. */
    String hash(String type, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(type.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HEX_CHARS);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
