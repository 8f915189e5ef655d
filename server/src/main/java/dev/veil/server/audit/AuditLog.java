package dev.veil.server.audit;

import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.storage.WalCheckpointer;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * The audit log: one SQLite connection (WAL), used under one lock, committing records in groups. Each commit assigns
 * sequence numbers, encrypts, chains the hashes, and has a checkpoint signed every so many records or seconds.
 *
 * <p>Who commits depends on the mode. In sync mode without fsync (the default) the request's own thread does: whoever
 * finds no commit running commits its record with every record that queued up meanwhile, and the others wait to be
 * woken when theirs is in, or to lead the next group (leader and followers, as in a database's group commit). Handing
 * records to a writer thread would cost two thread wake-ups per request, which on a virtualised host take more at p99
 * than the commit itself. With fsync, and in async mode, a platform writer thread commits whatever has queued up, so
 * that no carrier thread of the virtual threads waits on the disk. Whatever runs only now and then — signing
 * checkpoints, re-reading the epoch, checkpointing the WAL — runs on a housekeeping thread, because a stall of whoever
 * commits is a stall of every request waiting for it.
 *
 * <p>In sync mode {@link #record} returns only once the record's transaction has been committed (to the WAL, which
 * survives any crash of this process; with {@code fsync} also flushed to the disk), so a response completed after it
 * implies a committed record; if the log cannot commit within the commit timeout the request is refused with a 503
 * instead of being answered unaudited. In async mode {@link #record} only enqueues: a crash can lose what was queued
 * but not yet committed. Either way, {@link #close} commits everything queued before it returns.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(AuditLog.class.getName());
    private static final int QUEUE_CAPACITY = 65_536;
    private static final int MAX_BATCH = 1024;
    private static final long ASYNC_BATCH_MILLIS = 1;
    private static final Duration WAL_CHECKPOINT_EVERY = Duration.ofSeconds(1);
    private static final Duration EPOCH_REFRESH_EVERY = Duration.ofSeconds(1);
    /** How often the admin records local commands posted are looked for. */
    private static final Duration INBOX_EVERY = Duration.ofSeconds(1);

    private final AuditConfig config;
    private final AuditDatabase database;
    private final InstantSource clock;
    private final LongConsumer commitLag;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread writer;
    private final ScheduledExecutorService housekeeping;
    private final CheckpointSigner signer;
    private WalCheckpointer checkpointer;
    private EpochWatch epochs;
    private AuditAppender appender;
    private final List<Pending> retry = new ArrayList<>();
    private volatile boolean closing;
    private volatile LongConsumer committed = seq -> { };

    /** A record on its way; {@code waiter} is the thread to wake when it is committed (sync mode). */
    private record Pending(AuditRecord record, long createdMillis, CompletableFuture<Long> committed, Thread waiter)
            implements AuditAppender.Entry {
    }

    /** Whether sync requests commit on their own threads instead of handing off to the writer. */
    private final boolean inline;
    /** Sync records waiting for a leader to commit them: the lock's holder takes them all. */
    private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
    /** Held by whoever uses the connection: an inline leader, the writer, or shutdown. */
    private final ReentrantLock commitLock = new ReentrantLock();

    private AuditLog(AuditConfig config, AuditDatabase database, InstantSource clock, LongConsumer commitLag) {
        this.commitLag = commitLag;
        this.config = config;
        this.database = database;
        this.clock = clock;
        this.inline = !config.async() && !config.fsync();
        this.writer = Thread.ofPlatform().name("veil-audit-writer").daemon(true).unstarted(this::run);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("veil-audit-housekeeping").daemon(true).factory());
        this.signer = new CheckpointSigner(database.keys(), housekeeping, this::insertSigned);
    }

    /**
     * Opens (or creates) the log and starts its writer, on the system clock.
     *
     * @throws dev.veil.server.config.ConfigException when the key or the file is not usable
     */
    public static AuditLog open(AuditConfig config) {
        return open(config, InstantSource.system());
    }

    /**
     * Opens (or creates) the log and starts its writer; records are stamped, keys rotated and checkpoints timed by
     * {@code clock}.
     *
     * @throws dev.veil.server.config.ConfigException when the key or the file is not usable
     */
    public static AuditLog open(AuditConfig config, InstantSource clock) {
        return open(config, clock, lag -> { });
    }

    /**
     * As {@link #open(AuditConfig, InstantSource)}, telling {@code commitLag} for each committed record how many
     * milliseconds passed between its creation and its commit.
     */
    public static AuditLog open(AuditConfig config, InstantSource clock, LongConsumer commitLag) {
        AuditDatabase database = AuditDatabase.open(config, true, clock);
        AuditLog log = new AuditLog(config, database, clock, commitLag);
        try {
            database.repairEpoch();
            database.claimNode(config.nodeId());
            log.epochs = EpochWatch.start(database.file(), clock, log.housekeeping, EPOCH_REFRESH_EVERY);
            log.housekeeping.scheduleWithFixedDelay(log::chainPosted, 0, INBOX_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
            log.appender = new AuditAppender(database, config, log.epochs, clock);
            log.appender.readHead();
            log.checkpointer = WalCheckpointer.start(database.connection(), database.file(), log.housekeeping,
                    WAL_CHECKPOINT_EVERY);
        } catch (SQLException e) {
            log.abandon();
            throw new dev.veil.server.config.ConfigException("veil.audit.file", database.file() + " cannot be read "
                    + "as an audit log (" + AuditDatabase.reason(e) + "); restore it from a backup, or move it away");
        } catch (AuditException e) {
            log.abandon();
            throw new dev.veil.server.config.ConfigException("veil.audit.file", e.getMessage());
        }
        log.writer.start();
        return log;
    }

    /**
     * The keys derived from this log's KEK, for state Veil keeps under the same key management (see
     * {@link AuditKeys#purposeKey}).
     */
    public AuditKeys keys() {
        return database.keys();
    }

    /** Undoes a failed open. */
    private void abandon() {
        housekeeping.shutdownNow();
        if (epochs != null) {
            epochs.close();
        }
        database.close();
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
        record(event, !config.async());
    }

    /**
     * Records a change to Veil and waits until it is committed, whatever {@code veil.audit.async} says: the admin API
     * answers a change only once its record is in the chain.
     *
     * @throws VeilException a 503 {@code audit_unavailable} when the record could not be committed in time
     */
    public void record(AdminEvent event) {
        record(event, true);
    }

    /**
     * Records one tool call through the MCP gateway. In sync mode, waits until the record is committed.
     *
     * @throws VeilException a 503 {@code audit_unavailable} as for {@link #record(AuditEvent)}
     */
    public void record(ToolCallEvent event) {
        record(event, !config.async());
    }

    private void record(AuditRecord event, boolean await) {
        Pending pending = new Pending(event, clock.millis(), await ? new CompletableFuture<>() : null,
                Thread.currentThread());
        if (closing) {
            throw unavailable();
        }
        if (inline && await) {
            commitInline(pending);
            return;
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

    /**
     * Commits {@code pending} on this thread, with whatever else is waiting, when no one else is committing; otherwise
     * waits to be committed by the current leader or to be woken as the next one.
     */
    private void commitInline(Pending pending) {
        long deadline = System.nanoTime() + config.commitTimeout().toNanos();
        waiting.add(pending);
        while (!pending.committed().isDone()) {
            if (commitLock.tryLock()) {
                try {
                    if (!pending.committed().isDone()) {
                        lead();
                    }
                } finally {
                    unlock();
                }
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                // Taken out of the queue, the record is never written; already in a leader's batch, it may still be
                // committed later. Either way this request is not answered unaudited.
                waiting.remove(pending);
                LOGGER.warning(() -> "request " + pending.record().requestId() + " refused: its audit record was not "
                        + "committed (timed out)");
                throw unavailable();
            }
            LockSupport.parkNanos(this, left);
        }
        if (pending.committed().isCompletedExceptionally()) {
            LOGGER.warning(() -> "request " + pending.record().requestId() + " refused: its audit record was not "
                    + "committed (the audit log failed)");
            throw unavailable();
        }
    }

    /**
     * Releases the commit lock and wakes the first request still waiting, which becomes the next leader: whoever
     * held the lock, a request that failed to take it is parked and waits for this.
     */
    private void unlock() {
        commitLock.unlock();
        Pending next = waiting.peek();
        if (next != null) {
            LockSupport.unpark(next.waiter());
        }
    }

    /** Under the commit lock: commits everything waiting and wakes the followers it committed. */
    private void lead() {
        List<Pending> batch = new ArrayList<>();
        for (Pending next; batch.size() < MAX_BATCH && (next = waiting.poll()) != null; ) {
            batch.add(next);
        }
        commit(batch);
        Thread self = Thread.currentThread();
        for (Pending committed : batch) {
            if (committed.waiter() != self) {
                LockSupport.unpark(committed.waiter());
            }
        }
    }

    private static VeilException unavailable() {
        return new VeilException(ErrorKind.UNAVAILABLE, "The audit log cannot record this request, so Veil does not "
                + "answer it; the operator's log says why").withCode("audit_unavailable");
    }

    /**
     * Tells {@code listener} the sequence number of the last record of each commit, once it is committed, on the
     * thread that committed it: it must not block (the audit export only wakes its senders).
     */
    public void onCommit(LongConsumer listener) {
        this.committed = listener;
    }

    /** How many records are queued or waiting for a commit, for the queue-depth gauge. */
    public int queued() {
        return queue.size() + waiting.size();
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
        housekeeping.shutdown();
        try {
            housekeeping.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkpointer.close();
        epochs.close();
        appender.close();
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
            commitLock.lock();
            try {
                if (batch.isEmpty()) {
                    if (closing) {
                        finish();
                        return;
                    }
                    idle();
                    continue;
                }
                commit(batch);
            } finally {
                unlock();
            }
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
            return queue.poll(appender.millisToCheckpoint(), TimeUnit.MILLISECONDS);
        }
        Pending first = queue.poll();
        if (first == null) {
            Thread.sleep(ASYNC_BATCH_MILLIS);
            first = queue.poll();
        }
        return first;
    }

    private void commit(List<Pending> batch) {
        List<CheckpointSigner.Signed> signed = signer.take();
        long committedSeq;
        try {
            committedSeq = appender.append(batch, signed);
        } catch (SQLException | RuntimeException e) {
            signer.putBack(signed);
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
            return;
        }
        long now = clock.millis();
        appender.checkpointAfterCommit(now).ifPresent(head -> signer.submit(head.seq(), head.hash(), now));
        batch.forEach(pending -> {
            commitLag.accept(now - pending.createdMillis());
            if (pending.committed() != null) {
                pending.committed().complete(committedSeq);
            }
        });
        committed.accept(committedSeq);
    }

    /**
     * Moves the admin records local commands posted ({@link AuditDatabase#post}) into the chain. A Veil that dies
     * between the commit and the removal chains them again at its next start: at least once, never lost.
     */
    private void chainPosted() {
        if (closing || !commitLock.tryLock()) {
            return;
        }
        try {
            List<AuditDatabase.Posted> posted = database.posted();
            if (posted.isEmpty()) {
                return;
            }
            List<Pending> batch = new ArrayList<>(posted.size());
            for (AuditDatabase.Posted entry : posted) {
                batch.add(new Pending(entry.event(), entry.createdMillis(), new CompletableFuture<>(),
                        Thread.currentThread()));
            }
            commit(batch);
            if (batch.get(batch.size() - 1).committed().isDone()
                    && !batch.get(batch.size() - 1).committed().isCompletedExceptionally()) {
                database.removePosted(posted.get(0).id(), posted.get(posted.size() - 1).id());
            }
        } catch (SQLException | RuntimeException e) {
            LOGGER.warning(() -> "admin records posted by local commands could not be chained yet ("
                    + e.getClass().getSimpleName() + "); retried in " + INBOX_EVERY.toSeconds() + "s");
        } finally {
            unlock();
        }
    }

    /** Between records: has a checkpoint signed when one is due by time. */
    private void idle() {
        long now = clock.millis();
        appender.checkpointWhenIdle(now).ifPresent(head -> signer.submit(head.seq(), head.hash(), now));
    }

    /** At shutdown: every checkpoint signed, and a last one for the last record, so the whole file is covered. */
    private void finish() {
        Thread.interrupted();
        if (!waiting.isEmpty()) {
            lead();
        }
        try {
            signer.awaitSigned();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<CheckpointSigner.Signed> last = new ArrayList<>(signer.take());
        try {
            appender.checkpointAtClose()
                    .ifPresent(head -> last.add(signer.signNow(head.seq(), head.hash(), clock.millis())));
        } catch (SQLException | AuditException e) {
            LOGGER.warning(() -> "cannot read the audit chain's head at shutdown (" + (e instanceof SQLException sql
                    ? AuditDatabase.reason(sql) : e.getMessage()) + ")");
        }
        insertAlone(last);
    }

    /**
     * On the housekeeping thread, once a checkpoint is signed: inserts it unless a commit is running, which may take
     * it with its records; otherwise tries again a millisecond later.
     */
    private void insertSigned() {
        if (closing) {
            return;
        }
        if (!commitLock.tryLock()) {
            housekeeping.schedule(this::insertSigned, 1, TimeUnit.MILLISECONDS);
            return;
        }
        try {
            insertAlone(signer.take());
        } finally {
            unlock();
        }
    }

    private void insertAlone(List<CheckpointSigner.Signed> signed) {
        try {
            appender.appendCheckpoints(signed);
        } catch (SQLException e) {
            signer.putBack(signed);
            LOGGER.warning(() -> "cannot insert a signed audit checkpoint (" + AuditDatabase.reason(e) + ")");
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
