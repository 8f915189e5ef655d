package dev.veil.server.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The byte layouts that tie records together: the associated data that binds a ciphertext to its row, the record
 * hash that chains each row to the one before, and the message a checkpoint signs. Writer and verifier share them,
 * so they cannot drift apart.
 *
 * <p>Records carry the node id of the Veil that wrote them in layout v2. Records written before node ids have layout
 * v1, which a log keeps verifying: a row without a node id is checked as v1, one with a node id as v2, and the two
 * domain strings differ, so removing a record's node id (or adding one) breaks its hash.
 */
final class AuditChain {
    /** The previous hash of the first record. */
    static final byte[] GENESIS = new byte[32];

    private static final byte[] RECORD_DOMAIN = "veil-audit-record|v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NODE_RECORD_DOMAIN = "veil-audit-record|v2".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECKPOINT_DOMAIN = "veil-audit-checkpoint|v1".getBytes(StandardCharsets.US_ASCII);

    private AuditChain() {
    }

    /** The plaintext columns of a row written before node ids (layout v1), authenticated with its ciphertext. */
    static byte[] associated(long seq, long createdMillis, long epoch) {
        return ByteBuffer.allocate(RECORD_DOMAIN.length + 24).put(RECORD_DOMAIN).putLong(seq).putLong(createdMillis)
                .putLong(epoch).array();
    }

    /** The plaintext columns of a row with its writer's node id (layout v2), authenticated with its ciphertext. */
    static byte[] associated(long seq, long createdMillis, long epoch, String nodeId) {
        byte[] node = nodeId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(NODE_RECORD_DOMAIN.length + 28 + node.length).put(NODE_RECORD_DOMAIN).putLong(seq)
                .putLong(createdMillis).putLong(epoch).putInt(node.length).put(node).array();
    }

    /** The associated data of a row as stored: v2 when it names a node, v1 when {@code nodeId} is null. */
    static byte[] associatedOfRow(long seq, long createdMillis, long epoch, String nodeId) {
        return nodeId == null ? associated(seq, createdMillis, epoch) : associated(seq, createdMillis, epoch, nodeId);
    }

    /** SHA-256 over the previous hash and every column of the row, its plaintext columns as {@code associated}. */
    static byte[] hash(byte[] previous, byte[] associated, byte[] nonce, byte[] ciphertext) {
        MessageDigest digest = sha256();
        digest.update(previous);
        digest.update(associated);
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
