package dev.veil.server.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Every key the audit log uses, derived from the one key-encryption key (KEK) the operator keeps, so that there is a
 * single secret to guard and back up: per-epoch data keys, the key-check value that proves a KEK opens a given log,
 * and the Ed25519 key that signs checkpoints. Derivation is HKDF-SHA256 with a distinct {@code info} per purpose; a
 * passphrase becomes a KEK through Argon2id first.
 */
public final class AuditKeys {
    /** Length of the KEK and of every derived symmetric key, in bytes. */
    public static final int KEY_BYTES = 32;

    /** The prefix of every purpose the audit log derives a key for itself. */
    private static final String AUDIT_PURPOSES = "veil-audit-";
    private static final byte[] CHECK_MESSAGE = "veil-audit-key-check|v1".getBytes(StandardCharsets.US_ASCII);

    private final byte[] kek;
    private final Map<Long, byte[]> dataKeys = new ConcurrentHashMap<>();
    private final Ed25519PrivateKeyParameters signingKey;

    private AuditKeys(byte[] kek) {
        if (kek.length != KEY_BYTES) {
            throw new IllegalArgumentException("the key-encryption key must be " + KEY_BYTES + " bytes");
        }
        this.kek = kek.clone();
        this.signingKey = new Ed25519PrivateKeyParameters(derive("veil-audit-signing-key|v1"), 0);
    }

    /** Keys derived from a 32-byte KEK. */
    public static AuditKeys of(byte[] kek) {
        return new AuditKeys(kek);
    }

    /**
     * Keys derived from a passphrase: Argon2id (64 MiB, 3 passes) stretches it with {@code salt} into the KEK, so
     * that guessing passphrases against a stolen database is slow.
     */
    public static AuditKeys fromPassphrase(String passphrase, byte[] salt) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(64 * 1024)
                .withIterations(3)
                .withParallelism(1)
                .withSalt(salt)
                .build());
        byte[] kek = new byte[KEY_BYTES];
        generator.generateBytes(passphrase.getBytes(StandardCharsets.UTF_8), kek);
        try {
            return new AuditKeys(kek);
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
    }

    /** The data key of {@code epoch}; each epoch has its own, and any can be derived again from the KEK. */
    public byte[] dataKey(long epoch) {
        return dataKeys.computeIfAbsent(epoch, e -> derive("veil-audit-data-key|epoch=" + e));
    }

    /**
     * A 32-byte key for another part of Veil that keeps state under the audit log's key management, so that the
     * operator still guards and backs up one secret. HKDF gives every {@code purpose} an independent key, from which
     * neither the KEK nor any other purpose's key can be learnt. The audit log's own purposes are refused.
     *
     * @param purpose the HKDF {@code info}, naming the user and a version, such as {@code veil-responses-key|v1}
     */
    public byte[] purposeKey(String purpose) {
        if (purpose.isBlank() || purpose.startsWith(AUDIT_PURPOSES)) {
            throw new IllegalArgumentException("a purpose key needs a purpose of its own, not the audit log's");
        }
        return derive(purpose);
    }

    /**
     * A value stored with the log that tells whether a KEK is the one the log was written with, without revealing
     * anything about it: an HMAC under a key derived for that purpose alone.
     */
    public byte[] checkValue() {
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(derive("veil-audit-key-check|v1")));
        mac.update(CHECK_MESSAGE, 0, CHECK_MESSAGE.length);
        byte[] out = new byte[mac.getMacSize()];
        mac.doFinal(out, 0);
        return out;
    }

    /** Whether {@code stored} is this KEK's check value, compared in constant time. */
    public boolean matches(byte[] stored) {
        return MessageDigest.isEqual(checkValue(), stored);
    }

    /** The public half of the checkpoint signing key. */
    public byte[] publicKey() {
        return signingKey.generatePublicKey().getEncoded();
    }

    /** Signs a checkpoint message with Ed25519. */
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, signingKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** Whether {@code signature} is a valid Ed25519 signature of {@code message} under {@code publicKey}. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    private byte[] derive(String info) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(kek, null, info.getBytes(StandardCharsets.US_ASCII)));
        byte[] out = new byte[KEY_BYTES];
        hkdf.generateBytes(out, 0, out.length);
        return out;
    }
}
