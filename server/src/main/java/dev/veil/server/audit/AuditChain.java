package dev.veil.server.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The byte layouts that tie records together: the associated data that binds a ciphertext to its row, the record
 * hash that chains each row to the one before, and the message a checkpoint signs. Writer and verifier share them,
 * so they cannot drift apart.
 */
final class AuditChain {
    /** The previous hash of the first record. */
    static final byte[] GENESIS = new byte[32];

    private static final byte[] RECORD_DOMAIN = "veil-audit-record|v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECKPOINT_DOMAIN = "veil-audit-checkpoint|v1".getBytes(StandardCharsets.US_ASCII);

    private AuditChain() {
    }

    /** The plaintext columns of a row, authenticated with its ciphertext. */
    static byte[] associated(long seq, long createdMillis, long epoch) {
        return ByteBuffer.allocate(RECORD_DOMAIN.length + 24).put(RECORD_DOMAIN).putLong(seq).putLong(createdMillis)
                .putLong(epoch).array();
    }

    /** SHA-256 over the previous hash and every column of the row. */
    static byte[] hash(byte[] previous, long seq, long createdMillis, long epoch, byte[] nonce, byte[] ciphertext) {
        MessageDigest digest = sha256();
        digest.update(previous);
        digest.update(associated(seq, createdMillis, epoch));
        digest.update(ByteBuffer.allocate(8).putInt(nonce.length).putInt(ciphertext.length).array());
        digest.update(nonce);
        digest.update(ciphertext);
        return digest.digest();
    }

    /** What a checkpoint signs: the last record it covers and that record's hash. */
    static byte[] checkpointMessage(long seq, byte[] hash, long createdMillis) {
        return ByteBuffer.allocate(CHECKPOINT_DOMAIN.length + 16 + hash.length).put(CHECKPOINT_DOMAIN).putLong(seq)
                .putLong(createdMillis).put(hash).array();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
