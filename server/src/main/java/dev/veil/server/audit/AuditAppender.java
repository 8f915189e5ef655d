package dev.veil.server.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

import dev.veil.server.config.AuditConfig;

/**
 * The audit chain's transactions: appends a batch of records to the file in one transaction (sequence numbers,
 * this node's id, encryption under the current epoch's key, hash chaining, a due key rotation, signed checkpoints
 * taken along), and keeps the chain's head and when it was last checkpointed. Single-threaded: {@link AuditLog} calls it under its
 * commit lock and decides who calls it when.
 */
final class AuditAppender implements AutoCloseable {
    /** Sequence numbers stop far below overflow; a last record beyond this is damage. */
    static final long MAX_SEQ = 1L << 62;

    /** A record to append and the time it was made, which it is stored and chained with. */
    interface Entry {
        AuditRecord record();

        long createdMillis();
    }

    /** The chain's last record: where the next one chains on, and what a checkpoint signs. */
    record Head(long seq, byte[] hash) {
    }

    private final AuditDatabase database;
    private final AuditConfig config;
    private final EpochWatch epochs;
    private final InstantSource clock;
    private final AuditCipher cipher = new AuditCipher();

    private long lastSeq;
    private byte[] lastHash;
    /** Whether lastSeq and lastHash may lag the file: at start and after a failed transaction. */
    private boolean headStale = true;
    private long lastCheckpointSeq;
    private volatile long lastCheckpointMillis;
    private PreparedStatement insert;
    private PreparedStatement insertCheckpoint;

    AuditAppender(AuditDatabase database, AuditConfig config, EpochWatch epochs, InstantSource clock) {
        this.database = database;
        this.config = config;
        this.epochs = epochs;
        this.clock = clock;
    }

    /**
     * Appends {@code entries} in one transaction with the {@code checkpoints} signed meanwhile, rotating the data key
     * first when its epoch has lasted the rotation period. Nothing of it is kept when this throws.
     *
     * @return the sequence number of the last entry
     * @throws SQLException or a runtime exception when the transaction did not commit; the head is then re-read
     *         before the next one
     */
    long append(List<? extends Entry> entries, List<CheckpointSigner.Signed> checkpoints) throws SQLException {
        Connection connection = database.connection();
        boolean committed = false;
        try {
            connection.setAutoCommit(false);
            freshHead();
            insertCheckpoints(checkpoints);
            long now = clock.millis();
            EpochWatch.Epoch rotated = rotationDue(now);
            long epoch = rotated != null ? rotated.number() : epochs.current().number();
            byte[] key = database.keys().dataKey(epoch);
            long seq = lastSeq;
            byte[] hash = lastHash;
            if (insert == null) {
                insert = connection.prepareStatement("INSERT INTO records (seq, created_ms, epoch, nonce, ciphertext, "
                        + "prev_hash, hash, node_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
            }
            for (Entry entry : entries) {
                seq++;
                byte[] plaintext = AuditPayload.encode(entry.record(), entry.createdMillis(), config.content(),
                        config.maxContentBytes());
                byte[] nonce = cipher.nonce();
                byte[] associated = AuditChain.associated(seq, entry.createdMillis(), epoch, config.nodeId());
                byte[] ciphertext = AuditCipher.encrypt(key, nonce, associated, plaintext);
                byte[] next = AuditChain.hash(hash, associated, nonce, ciphertext);
                insert.setLong(1, seq);
                insert.setLong(2, entry.createdMillis());
                insert.setLong(3, epoch);
                insert.setBytes(4, nonce);
                insert.setBytes(5, ciphertext);
                insert.setBytes(6, hash);
                insert.setBytes(7, next);
                insert.setString(8, config.nodeId());
                insert.addBatch();
                hash = next;
            }
            insert.executeBatch();
            connection.commit();
            committed = true;
            if (rotated != null) {
                epochs.advance(rotated);
            }
            lastSeq = seq;
            lastHash = hash;
            return seq;
        } finally {
            if (!committed) {
                database.rollbackQuietly();
                headStale = true;
            }
            autoCommit(connection);
        }
    }

    /** Inserts signed checkpoints in a transaction of their own, between batches of records. */
    void appendCheckpoints(List<CheckpointSigner.Signed> checkpoints) throws SQLException {
        if (checkpoints.isEmpty()) {
            return;
        }
        Connection connection = database.connection();
        boolean committed = false;
        try {
            connection.setAutoCommit(false);
            insertCheckpoints(checkpoints);
            connection.commit();
            committed = true;
        } finally {
            if (!committed) {
                database.rollbackQuietly();
            }
            autoCommit(connection);
        }
    }

    /**
     * The head to checkpoint after a commit at {@code now}: once enough records or enough time have passed since the
     * last checkpoint. Taking it counts it as checkpointed.
     */
    Optional<Head> checkpointAfterCommit(long now) {
        if (lastSeq - lastCheckpointSeq >= config.checkpointRecords()
                || now - lastCheckpointMillis >= config.checkpointInterval().toMillis()) {
            return Optional.of(checkpointed(now));
        }
        return Optional.empty();
    }

    /** The head to checkpoint while no records arrive: when records are unsigned and the interval has passed. */
    Optional<Head> checkpointWhenIdle(long now) {
        if (!headStale && lastSeq != lastCheckpointSeq
                && now - lastCheckpointMillis >= config.checkpointInterval().toMillis()) {
            return Optional.of(checkpointed(now));
        }
        return Optional.empty();
    }

    /** At shutdown: the head when records since the last checkpoint are unsigned, so the whole file is covered. */
    Optional<Head> checkpointAtClose() throws SQLException {
        freshHead();
        return lastSeq != lastCheckpointSeq ? Optional.of(checkpointed(clock.millis())) : Optional.empty();
    }

    /** Milliseconds until a checkpoint is due by time (at least 10, so an idle writer does not spin). */
    long millisToCheckpoint() {
        return Math.max(10, lastCheckpointMillis + config.checkpointInterval().toMillis() - clock.millis());
    }

    private Head checkpointed(long now) {
        lastCheckpointSeq = lastSeq;
        lastCheckpointMillis = now;
        return new Head(lastSeq, lastHash);
    }

    private void freshHead() throws SQLException {
        if (headStale) {
            readHead();
            headStale = false;
        }
    }

    private void insertCheckpoints(List<CheckpointSigner.Signed> signed) throws SQLException {
        if (signed.isEmpty()) {
            return;
        }
        if (insertCheckpoint == null) {
            insertCheckpoint = database.connection().prepareStatement(
                    "INSERT OR REPLACE INTO checkpoints (seq, created_ms, hash, signature) VALUES (?, ?, ?, ?)");
        }
        for (CheckpointSigner.Signed checkpoint : signed) {
            insertCheckpoint.setLong(1, checkpoint.seq());
            insertCheckpoint.setLong(2, checkpoint.createdMillis());
            insertCheckpoint.setBytes(3, checkpoint.hash());
            insertCheckpoint.setBytes(4, checkpoint.signature());
            insertCheckpoint.addBatch();
        }
        insertCheckpoint.executeBatch();
    }

    /**
     * The next epoch when the current one has lasted its rotation period, written to the file in the open
     * transaction; null otherwise. Counting on from the file's epoch keeps a {@code rotate-key} the watch has not
     * seen yet.
     */
    private EpochWatch.Epoch rotationDue(long now) throws SQLException {
        EpochWatch.Epoch current = epochs.current();
        if (now - current.startedMillis() < config.rotate().toMillis()) {
            return null;
        }
        EpochWatch.Epoch next = new EpochWatch.Epoch(Math.min(Math.max(current.number(),
                database.metaNumber("epoch", 0, AuditDatabase.MAX_EPOCH).orElse(0)), AuditDatabase.MAX_EPOCH - 1) + 1,
                now);
        database.putMeta("epoch", next.number());
        database.putMeta("epoch_started_ms", now);
        return next;
    }

    /**
     * Reads the last record and checkpoint as the file has them: the chain continues from there, whatever lies behind
     * (verify reports that). The last record must be one a next record can chain to: a sequence number from 1 to
     * {@link #MAX_SEQ} and a 32-byte hash. Otherwise this throws, and no record is appended to a chain no
     * verification could vouch for: at startup that is a clear config error, later a failed commit (a 503 in sync
     * mode). A checkpoint beyond the last record, or with an impossible time, is not counted as the last one.
     *
     * @throws AuditException when the last record cannot be chained to
     */
    void readHead() throws SQLException {
        try (Statement statement = database.connection().createStatement()) {
            try (ResultSet row = statement.executeQuery("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1")) {
                if (row.next()) {
                    Object seq = row.getObject(1);
                    Object hash = row.getObject(2);
                    if (!(seq instanceof Integer || seq instanceof Long) || ((Number) seq).longValue() < 1
                            || ((Number) seq).longValue() > MAX_SEQ) {
                        throw unusableHead("its sequence number is not from 1 to " + MAX_SEQ);
                    }
                    if (!(hash instanceof byte[] bytes) || bytes.length != AuditChain.GENESIS.length) {
                        throw unusableHead("its hash is not " + AuditChain.GENESIS.length + " bytes");
                    }
                    lastSeq = ((Number) seq).longValue();
                    lastHash = bytes;
                } else {
                    lastSeq = 0;
                    lastHash = AuditChain.GENESIS;
                }
            }
            if (lastCheckpointMillis == 0) {
                long now = clock.millis();
                try (PreparedStatement select = database.connection().prepareStatement("SELECT seq, created_ms FROM "
                        + "checkpoints WHERE typeof(seq) = 'integer' AND seq BETWEEN 1 AND ? ORDER BY seq DESC "
                        + "LIMIT 1")) {
                    select.setLong(1, lastSeq);
                    try (ResultSet row = select.executeQuery()) {
                        lastCheckpointSeq = row.next() ? row.getLong(1) : 0;
                        Object created = lastCheckpointSeq == 0 ? null : row.getObject(2);
                        lastCheckpointMillis = created instanceof Number millis && millis.longValue() > 0
                                && millis.longValue() <= now ? millis.longValue() : now;
                    }
                }
            }
        }
        headStale = false;
    }

    private AuditException unusableHead(String problem) {
        return new AuditException(database.file() + ": the last audit record " + problem + ", so new records cannot "
                + "be chained to it: the log was damaged or tampered with. Run ./veil audit verify to see where; then "
                + "restore the file from a backup, or move it away (keep it as evidence) to start a new log");
    }

    private static void autoCommit(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // The next transaction reports a broken connection.
        }
    }

    /** Closes the prepared statements; the database is closed by its owner. */
    @Override
    public void close() {
        for (PreparedStatement statement : new PreparedStatement[] {insert, insertCheckpoint}) {
            if (statement != null) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // Closing the connection releases it anyway.
                }
            }
        }
    }
}
