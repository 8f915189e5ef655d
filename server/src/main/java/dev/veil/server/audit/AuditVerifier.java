package dev.veil.server.audit;

import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * Checks an audit log end to end: every sequence number present and in order, every row's previous hash equal to the
 * hash of the row before, every hash recomputed from the row, every ciphertext authentic under its epoch's data key
 * with its row's plaintext columns (the writer's node id among them, for records that have one), and every
 * checkpoint's Ed25519 signature, under the public key the KEK derives (not the one the file claims). A checkpoint
 * whose record is gone, or whose hash differs from the record's, means the log was truncated or rewritten behind it.
 */
public final class AuditVerifier {
    private final AuditDatabase database;

    public AuditVerifier(AuditDatabase database) {
        this.database = database;
    }

    /**
     * The outcome of a verification.
     *
     * @param ok whether everything checked out
     * @param records how many records were checked
     * @param lastSeq the last record's sequence number, 0 for an empty log
     * @param lastCheckpoint the last signed checkpoint's sequence number, 0 when there is none
     * @param unsigned records after the last checkpoint: intact as far as the chain shows, but not yet signed
     * @param firstBadSeq the first sequence number that failed, when one did
     * @param problem what failed, when something did
     * @param publicKey the checkpoint public key, hex, for comparing with a copy kept elsewhere
     * @param nodeIds the node ids the checked records were written by, in the order they first appear
     * @param withoutNodeId how many of the checked records were written before records carried a node id
     * @param firstMillis when the first checked record was made, when there is one
     * @param lastMillis when the last checked record was made, when there is one
     */
    public record Result(boolean ok, long records, long lastSeq, long lastCheckpoint, long unsigned,
                         Optional<Long> firstBadSeq, Optional<String> problem, String publicKey, List<String> nodeIds,
                         long withoutNodeId, OptionalLong firstMillis, OptionalLong lastMillis) {
        public Result {
            nodeIds = List.copyOf(nodeIds);
        }
    }

    /** What the records checked so far add up to. */
    private static final class Tally {
        private final Set<String> nodeIds = new LinkedHashSet<>();
        private long count;
        private long withoutNodeId;
        private OptionalLong firstMillis = OptionalLong.empty();
        private OptionalLong lastMillis = OptionalLong.empty();

        void add(String nodeId, long createdMillis) {
            if (nodeId == null) {
                withoutNodeId++;
            } else {
                nodeIds.add(nodeId);
            }
            if (firstMillis.isEmpty()) {
                firstMillis = OptionalLong.of(createdMillis);
            }
            lastMillis = OptionalLong.of(createdMillis);
            count++;
        }

        Result result(boolean ok, long lastSeq, long lastCheckpoint, long unsigned, Optional<Long> firstBadSeq,
                      Optional<String> problem, String publicKey) {
            return new Result(ok, count, lastSeq, lastCheckpoint, unsigned, firstBadSeq, problem, publicKey,
                    List.copyOf(nodeIds), withoutNodeId, firstMillis, lastMillis);
        }
    }

    /** Verifies the whole chain; {@code from} only limits which records are decrypted, never what is chained. */
    public Result verify(long from) {
        AuditKeys keys = database.keys();
        String publicKey = HexFormat.of().formatHex(keys.publicKey());
        Tally tally = new Tally();
        try {
            Optional<byte[]> storedPublic = database.meta("public_key");
            if (storedPublic.isEmpty() || !MessageDigest.isEqual(storedPublic.get(), keys.publicKey())) {
                return tally.result(false, 0, 0, 0, Optional.of(0L),
                        Optional.of("the stored public key is not the one the key derives"), publicKey);
            }
            TreeMap<Long, Checkpoint> checkpoints = checkpoints();
            long expected = 1;
            byte[] previous = AuditChain.GENESIS;
            try (Statement statement = database.connection().createStatement();
                 ResultSet row = statement.executeQuery("SELECT seq, created_ms, epoch, nonce, ciphertext, prev_hash, "
                         + "hash, node_id FROM records ORDER BY seq")) {
                while (row.next()) {
                    long seq = row.getLong(1);
                    long created = row.getLong(2);
                    long epoch = row.getLong(3);
                    byte[] nonce = row.getBytes(4);
                    byte[] ciphertext = row.getBytes(5);
                    byte[] prevHash = row.getBytes(6);
                    byte[] hash = row.getBytes(7);
                    Object node = row.getObject(8);
                    if (seq != expected) {
                        return bad(tally, expected - 1, checkpoints, Math.min(seq, expected), seq > expected
                                ? "record " + expected + (seq - expected > 1 ? " to " + (seq - 1) : "")
                                + " missing" : "sequence out of order", publicKey);
                    }
                    if (nonce == null || ciphertext == null || prevHash == null || hash == null
                            || !MessageDigest.isEqual(prevHash, previous)) {
                        return bad(tally, seq, checkpoints, seq, "previous hash does not match the record before",
                                publicKey);
                    }
                    if (node != null && !(node instanceof String)) {
                        return bad(tally, seq, checkpoints, seq, "node id is not text", publicKey);
                    }
                    String nodeId = (String) node;
                    byte[] associated = AuditChain.associatedOfRow(seq, created, epoch, nodeId);
                    byte[] computed = AuditChain.hash(previous, associated, nonce, ciphertext);
                    if (!MessageDigest.isEqual(computed, hash)) {
                        return bad(tally, seq, checkpoints, seq, "hash does not match the record's contents",
                                publicKey);
                    }
                    if (seq >= from && !authentic(keys, epoch, nonce, associated, ciphertext)) {
                        return bad(tally, seq, checkpoints, seq, "ciphertext fails authentication", publicKey);
                    }
                    Checkpoint checkpoint = checkpoints.get(seq);
                    if (checkpoint != null && !signed(keys, seq, hash, checkpoint)) {
                        return bad(tally, seq, checkpoints, seq, "checkpoint signature or hash does not match",
                                publicKey);
                    }
                    previous = hash;
                    expected = seq + 1;
                    tally.add(nodeId, created);
                }
            }
            long lastSeq = expected - 1;
            if (!checkpoints.isEmpty() && checkpoints.lastKey() > lastSeq) {
                long missing = checkpoints.ceilingKey(lastSeq + 1);
                return tally.result(false, lastSeq, lastCheckpoint(checkpoints, lastSeq), 0,
                        Optional.of(lastSeq + 1), Optional.of("log truncated: a checkpoint signs record " + missing
                        + ", which is gone"), publicKey);
            }
            long lastCheckpoint = lastCheckpoint(checkpoints, lastSeq);
            return tally.result(true, lastSeq, lastCheckpoint, lastSeq - lastCheckpoint, Optional.empty(),
                    Optional.empty(), publicKey);
        } catch (SQLException e) {
            return tally.result(false, 0, 0, 0, Optional.of(0L),
                    Optional.of("the log cannot be read (" + AuditDatabase.reason(e) + ")"), publicKey);
        }
    }

    private static Result bad(Tally tally, long lastGood, TreeMap<Long, Checkpoint> checkpoints, long seq,
                              String problem, String publicKey) {
        return tally.result(false, lastGood, lastCheckpoint(checkpoints, lastGood), 0, Optional.of(seq),
                Optional.of(problem), publicKey);
    }

    private static long lastCheckpoint(TreeMap<Long, Checkpoint> checkpoints, long upTo) {
        Long key = checkpoints.floorKey(upTo);
        return key == null ? 0 : key;
    }

    private TreeMap<Long, Checkpoint> checkpoints() throws SQLException {
        TreeMap<Long, Checkpoint> checkpoints = new TreeMap<>();
        try (PreparedStatement select = database.connection().prepareStatement(
                "SELECT seq, created_ms, hash, signature FROM checkpoints ORDER BY seq");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                checkpoints.put(row.getLong(1), new Checkpoint(row.getLong(2), row.getBytes(3), row.getBytes(4)));
            }
        }
        return checkpoints;
    }

    private record Checkpoint(long createdMillis, byte[] hash, byte[] signature) {
    }

    private static boolean signed(AuditKeys keys, long seq, byte[] hash, Checkpoint checkpoint) {
        return checkpoint.hash() != null && checkpoint.signature() != null
                && MessageDigest.isEqual(checkpoint.hash(), hash)
                && AuditKeys.verify(keys.publicKey(), AuditChain.checkpointMessage(seq, hash,
                checkpoint.createdMillis()), checkpoint.signature());
    }

    private static boolean authentic(AuditKeys keys, long epoch, byte[] nonce, byte[] associated, byte[] ciphertext) {
        try {
            AuditCipher.decrypt(keys.dataKey(epoch), nonce, associated, ciphertext);
            return true;
        } catch (InvalidCipherTextException | IllegalArgumentException e) {
            return false;
        }
    }
}
