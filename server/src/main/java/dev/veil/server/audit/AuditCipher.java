package dev.veil.server.audit;

import java.security.SecureRandom;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-256-GCM-SIV (RFC 8452) from Bouncy Castle, which has no XChaCha20-Poly1305. GCM-SIV resists nonce reuse, so
 * random 96-bit nonces are safe even at high record counts per data key. The associated data binds a ciphertext to
 * its row, so it cannot be moved to another one.
 */
final class AuditCipher {
    static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();

    byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    static byte[] encrypt(byte[] key, byte[] nonce, byte[] associated, byte[] plaintext) {
        GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(AESEngine.newInstance());
        cipher.init(true, new AEADParameters(new KeyParameter(key), TAG_BITS, nonce, associated));
        byte[] out = new byte[cipher.getOutputSize(plaintext.length)];
        int written = cipher.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            cipher.doFinal(out, written);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
        return out;
    }

    /** The plaintext, or an exception when the ciphertext, nonce, associated data or key do not belong together. */
    static byte[] decrypt(byte[] key, byte[] nonce, byte[] associated, byte[] ciphertext)
            throws InvalidCipherTextException {
        GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(AESEngine.newInstance());
        cipher.init(false, new AEADParameters(new KeyParameter(key), TAG_BITS, nonce, associated));
        byte[] out = new byte[cipher.getOutputSize(ciphertext.length)];
        int written = cipher.processBytes(ciphertext, 0, ciphertext.length, out, 0);
        written += cipher.doFinal(out, written);
        return written == out.length ? out : java.util.Arrays.copyOf(out, written);
    }
}
