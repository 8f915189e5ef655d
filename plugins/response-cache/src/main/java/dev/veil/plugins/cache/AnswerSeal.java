package dev.veil.plugins.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Names and seals the shared tier's entries with the configured key, so that Redis (and whoever reads it) learns
 * neither what was asked, by whom, nor what was answered.
 *
 * <p>Two keys are derived from the configured one with HKDF-SHA256: one names entries, an HMAC-SHA256 of the tenant
 * and the request's digest (keyed, so that a guessed prompt cannot be confirmed by hashing it), the other encrypts
 * values with AES-256-GCM-SIV (RFC 8452; the audit log's cipher), whose random 96-bit nonces stay safe however many
 * values one long-lived key seals. The entry's name is the associated data: a value moved to another name fails to
 * open. A value is {@code version | nonce | ciphertext and tag}.
 */
final class AnswerSeal {
    static final String PREFIX = "veil:response-cache:";
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final byte[] nameKey;
    private final byte[] valueKey;
    private final SecureRandom random = new SecureRandom();

    /** @param key the configured 256-bit key */
    AnswerSeal(byte[] key) {
        this.nameKey = derive(key, "veil response-cache entry names v1");
        this.valueKey = derive(key, "veil response-cache entry values v1");
    }

    /** The Redis key of a tenant's request: the same on every replica that has the same configured key. */
    byte[] name(ResponseCachePlugin.Key key) {
        byte[] tenant = key.tenant().getBytes(StandardCharsets.UTF_8);
        byte[] digest = key.digest().getBytes(StandardCharsets.UTF_8);
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(nameKey));
        // Length-prefixed, so that no tenant and digest pair can spell another's.
        mac.update(ByteBuffer.allocate(4).putInt(tenant.length).array(), 0, 4);
        mac.update(tenant, 0, tenant.length);
        mac.update(digest, 0, digest.length);
        byte[] out = new byte[mac.getMacSize()];
        mac.doFinal(out, 0);
        return (PREFIX + HexFormat.of().formatHex(out)).getBytes(StandardCharsets.US_ASCII);
    }

    /** The plaintext sealed for the entry {@code name}. */
    byte[] seal(byte[] name, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        GCMSIVBlockCipher cipher = cipher(true, nonce, name);
        byte[] out = new byte[1 + NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
        out[0] = VERSION;
        System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
        int written = cipher.processBytes(plaintext, 0, plaintext.length, out, 1 + NONCE_BYTES);
        try {
            cipher.doFinal(out, 1 + NONCE_BYTES + written);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
        return out;
    }

    /**
     * The plaintext of a value read from the entry {@code name}; empty when the value was not sealed for that name
     * with this key (another key, another entry, altered, or another version).
     */
    Optional<byte[]> open(byte[] name, byte[] value) {
        if (value.length < 1 + NONCE_BYTES + TAG_BITS / 8 || value[0] != VERSION) {
            return Optional.empty();
        }
        GCMSIVBlockCipher cipher = cipher(false, Arrays.copyOfRange(value, 1, 1 + NONCE_BYTES), name);
        int length = value.length - 1 - NONCE_BYTES;
        byte[] out = new byte[cipher.getOutputSize(length)];
        try {
            int written = cipher.processBytes(value, 1 + NONCE_BYTES, length, out, 0);
            written += cipher.doFinal(out, written);
            return Optional.of(written == out.length ? out : Arrays.copyOf(out, written));
        } catch (InvalidCipherTextException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private GCMSIVBlockCipher cipher(boolean encrypt, byte[] nonce, byte[] name) {
        GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(AESEngine.newInstance());
        byte[] associated = new byte[name.length + 1];
        associated[0] = VERSION;
        System.arraycopy(name, 0, associated, 1, name.length);
        cipher.init(encrypt, new AEADParameters(new KeyParameter(valueKey), TAG_BITS, nonce, associated));
        return cipher;
    }

    private static byte[] derive(byte[] key, String purpose) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(key, null, purpose.getBytes(StandardCharsets.US_ASCII)));
        byte[] derived = new byte[SharedSettings.KEY_BYTES];
        hkdf.generateBytes(derived, 0, derived.length);
        return derived;
    }
}
