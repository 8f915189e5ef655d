package dev.veil.server.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.config.AuditConfig;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * The audit log's single writer. Requests hand records to a queue; one platform thread owns the SQLite connection,
 * takes whatever has queued up while the previous commit ran, and commits it in one transaction (group commit): it
 * assigns sequence numbers, encrypts, chains the hashes, and signs a checkpoint every so many records or seconds.
 *
 * <p>In sync mode (the default) {@link #record} returns only once the record's transaction has been committed with
 * {@code synchronous=FULL}, so a response completed after it implies a durable record; if the log cannot commit
 * within the commit timeout the request is refused with a 503 instead of being answered unaudited. In async mode
 * {@link #record} only enqueues: a crash can lose what was queued but not yet committed. Either way, {@link #close}
 * drains the queue before it returns.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(AuditLog.class.getName());
    private static final int QUEUE_CAPACITY = 65_536;
    private static final int MAX_BATCH = 1024;

    private final AuditConfig config;
    private final AuditDatabase database;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread writer;
    private WalCheckpointer checkpointer;
    private final List<Pending> retry = new ArrayList<>();
    private final AuditCipher cipher = new AuditCipher();
    private volatile boolean closing;
    private static final long EPOCH_REFRESH_MILLIS = 1_000;
    private static final long ASYNC_BATCH_MILLIS = 1;
    private static final Duration WAL_CHECKPOINT_EVERY = Duration.ofSeconds(1);

    private long lastCheckpointSeq;
    private long lastCheckpointMillis;
    private long lastSeq;
    private byte[] lastHash;
    /** Whether lastSeq and lastHash may lag the file: at start and after a failed commit. */
    private boolean headStale = true;
    private long writingEpoch;
    private long epochReadMillis;
    private PreparedStatement insert;

    private record Pending(AuditEvent event, long createdMillis, CompletableFuture<Long> committed) {
    }

    private AuditLog(AuditConfig config, AuditDatabase database) {
        this.config = config;
        this.database = database;
        this.writer = Thread.ofPlatform().name("veil-audit-writer").daemon(true).unstarted(this::run);
    }

    /**
     * Opens (or creates) the log and starts its writer.
     *
     * @throws dev.veil.server.config.ConfigException when the key or the file is not usable
     */
    public static AuditLog open(AuditConfig config) {
        AuditDatabase database = AuditDatabase.open(config, true);
        AuditLog log = new AuditLog(config, database);
        try {
            log.readHead();
            log.checkpointer = WalCheckpointer.start(database.connection(), database.file(), WAL_CHECKPOINT_EVERY);
        } catch (SQLException e) {
            database.close();
            throw new dev.veil.server.config.ConfigException("veil.audit.file", database.file() + " cannot be read "
                    + "as an audit log (" + AuditDatabase.reason(e) + "); restore it from a backup, or move it away");
        }
        log.writer.start();
        return log;
    }

    /** The longest prompt or answer a record stores. */
    int maxContentBytes() {
        return config.maxContentBytes();
    }

    /** Whether requests complete without waiting for their record. */
    public boolean async() {
        return config.async();
    }

    /**
     * Records one request. In sync mode, waits until the record is committed.
     *
     * @throws VeilException a 503 {@code audit_unavailable} when the record could not be committed in time (sync
     *         mode), or when the log is shutting down
     */
    public void record(AuditEvent event) {
        Pending pending = new Pending(event, System.currentTimeMillis(),
                config.async() ? null : new CompletableFuture<>());
        if (closing) {
            throw unavailable();
        }
        try {
            queue.put(pending);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
        if (pending.committed() == null) {
            return;
        }
        try {
            pending.committed().get(config.commitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        } catch (ExecutionException | TimeoutException e) {
            LOGGER.warning(() -> "request " + event.requestId() + " refused: its audit record was not committed ("
                    + (e instanceof TimeoutException ? "timed out" : "the audit log failed") + ")");
            throw unavailable();
        }
    }

    private static VeilException unavailable() {
        return new VeilException(ErrorKind.UNAVAILABLE, "The audit log cannot record this request, so Veil does not "
                + "answer it; the operator's log says why").withCode("audit_unavailable");
    }

    /** Stops taking records, commits everything queued, signs a last checkpoint, and closes the file. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        writer.interrupt();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkpointer.close();
        if (insert != null) {
            try {
                insert.close();
            } catch (SQLException ignored) {
                // Closing the connection below releases it anyway.
            }
        }
        database.close();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            Pending first = null;
            if (retry.isEmpty()) {
                try {
                    first = closing ? queue.poll() : next();
                } catch (InterruptedException e) {
                    // close() wakes the writer: go round once more to drain the queue.
                }
            }
            batch.addAll(retry);
            retry.clear();
            if (first != null) {
                batch.add(first);
            }
            queue.drainTo(batch, MAX_BATCH - batch.size());
            if (batch.isEmpty()) {
                if (closing) {
                    checkpointIfDue(true);
                    return;
                }
                checkpointIfDue(false);
                continue;
            }
            commit(batch);
            batch.clear();
            if (closing && !retry.isEmpty() && queue.isEmpty()) {
                LOGGER.severe(() -> retry.size() + " audit records could not be committed at shutdown");
                return;
            }
        }
    }

    /**
     * The next record to write. Sync requests wait for their commit, so the writer blocks on the queue and wakes the
     * moment one arrives. Async requests do not wait, so the writer takes what arrived every millisecond instead:
     * a request then never pays for waking it, which is most of what an async record costs.
     */
    private Pending next() throws InterruptedException {
        if (!config.async()) {
            return queue.poll(checkpointWait(), TimeUnit.MILLISECONDS);
        }
        Pending first = queue.poll();
        if (first == null) {
            Thread.sleep(ASYNC_BATCH_MILLIS);
            first = queue.poll();
        }
        return first;
    }

    private long checkpointWait() {
        long due = lastCheckpointMillis + config.checkpointInterval().toMillis() - System.currentTimeMillis();
        return Math.max(10, due);
    }

    private void commit(List<Pending> batch) {
        Connection connection = database.connection();
        try {
            connection.setAutoCommit(false);
            if (headStale) {
                readHead();
                headStale = false;
            }
            long now = System.currentTimeMillis();
            long epoch = currentEpoch(now);
            byte[] key = database.keys().dataKey(epoch);
            long seq = lastSeq;
            byte[] hash = lastHash;
            if (insert == null) {
                insert = connection.prepareStatement("INSERT INTO records (seq, created_ms, epoch, nonce, ciphertext, "
                        + "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)");
            }
            for (Pending pending : batch) {
                seq++;
                byte[] plaintext = AuditPayload.encode(pending.event(), pending.createdMillis(), config.content(),
                        config.maxContentBytes());
                byte[] nonce = cipher.nonce();
                byte[] ciphertext = AuditCipher.encrypt(key, nonce,
                        AuditChain.associated(seq, pending.createdMillis(), epoch), plaintext);
                byte[] next = AuditChain.hash(hash, seq, pending.createdMillis(), epoch, nonce, ciphertext);
                insert.setLong(1, seq);
                insert.setLong(2, pending.createdMillis());
                insert.setLong(3, epoch);
                insert.setBytes(4, nonce);
                insert.setBytes(5, ciphertext);
                insert.setBytes(6, hash);
                insert.setBytes(7, next);
                insert.addBatch();
                hash = next;
            }
            insert.executeBatch();
            boolean checkpoint = seq - lastCheckpointSeq >= config.checkpointRecords()
                    || now - lastCheckpointMillis >= config.checkpointInterval().toMillis();
            if (checkpoint) {
                writeCheckpoint(seq, hash, now);
            }
            connection.commit();
            lastSeq = seq;
            lastHash = hash;
            if (checkpoint) {
                lastCheckpointSeq = seq;
                lastCheckpointMillis = now;
            }
            long committedSeq = seq;
            batch.forEach(pending -> {
                if (pending.committed() != null) {
                    pending.committed().complete(committedSeq);
                }
            });
        } catch (SQLException | RuntimeException e) {
            database.rollbackQuietly();
            headStale = true;
            epochReadMillis = 0;
            LOGGER.log(Level.SEVERE, "cannot commit " + batch.size() + " audit records to " + database.file() + " ("
                    + (e instanceof SQLException sql ? AuditDatabase.reason(sql) : e.getClass().getSimpleName())
                    + "); sync requests are refused with 503, async records are retried");
            for (Pending pending : batch) {
                if (pending.committed() != null) {
                    pending.committed().completeExceptionally(new AuditException("commit failed"));
                } else {
                    retry.add(pending);
                }
            }
            if (!retry.isEmpty()) {
                pause();
            }
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // The next commit reports a broken connection.
            }
        }
    }

    private void checkpointIfDue(boolean force) {
        if (lastSeq == lastCheckpointSeq) {
            return;
        }
        long now = System.currentTimeMillis();
        if (!force && now - lastCheckpointMillis < config.checkpointInterval().toMillis()) {
            return;
        }
        Connection connection = database.connection();
        try {
            connection.setAutoCommit(false);
            readHead();
            writeCheckpoint(lastSeq, lastHash, now);
            connection.commit();
            lastCheckpointSeq = lastSeq;
            lastCheckpointMillis = now;
        } catch (SQLException e) {
            database.rollbackQuietly();
            LOGGER.warning(() -> "cannot sign an audit checkpoint (" + AuditDatabase.reason(e) + ")");
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // The next commit reports a broken connection.
            }
        }
    }

    private void writeCheckpoint(long seq, byte[] hash, long now) throws SQLException {
        byte[] signature = database.keys().sign(AuditChain.checkpointMessage(seq, hash, now));
        try (PreparedStatement insert = database.connection().prepareStatement(
                "INSERT OR REPLACE INTO checkpoints (seq, created_ms, hash, signature) VALUES (?, ?, ?, ?)")) {
            insert.setLong(1, seq);
            insert.setLong(2, now);
            insert.setBytes(3, hash);
            insert.setBytes(4, signature);
            insert.executeUpdate();
        }
    }

    /** The last record and checkpoint as the file has them: the chain continues from there. */
    /**
     * The data-key epoch to write under, rotating when it is due. Read from the file at most once a second, so that
     * {@code veil audit rotate-key} run against a live log takes effect within a second without a query per commit.
     */
    private long currentEpoch(long now) throws SQLException {
        if (now - epochReadMillis >= EPOCH_REFRESH_MILLIS) {
            writingEpoch = database.metaLong("epoch", 0);
            if (now - database.metaLong("epoch_started_ms", now) >= config.rotate().toMillis()) {
                writingEpoch++;
                database.putMeta("epoch", writingEpoch);
                database.putMeta("epoch_started_ms", now);
            }
            epochReadMillis = now;
        }
        return writingEpoch;
    }

    private void readHead() throws SQLException {
        try (Statement statement = database.connection().createStatement()) {
            try (ResultSet row = statement.executeQuery("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1")) {
                if (row.next()) {
                    lastSeq = row.getLong(1);
                    lastHash = row.getBytes(2);
                } else {
                    lastSeq = 0;
                    lastHash = AuditChain.GENESIS;
                }
            }
            if (lastHash == null || lastCheckpointMillis == 0) {
                try (ResultSet row = statement.executeQuery(
                        "SELECT seq, created_ms FROM checkpoints ORDER BY seq DESC LIMIT 1")) {
                    lastCheckpointSeq = row.next() ? row.getLong(1) : 0;
                    lastCheckpointMillis = lastCheckpointSeq == 0 ? System.currentTimeMillis() : row.getLong(2);
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
