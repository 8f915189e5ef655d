package dev.veil.server.audit.export;

import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditException;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.AuditExportConfig;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;

/**
 * Feeds one sink from its cursor on a thread of its own: reads the records after the cursor from the audit log (its
 * own connection), sends them in chain order, and moves the cursor only once the sink acknowledged them; a failure is
 * retried with the same records after a back-off that doubles up to its bound (or longer, when the sink answered
 * with a {@code Retry-After}). The log is the buffer: while the sink is down records stay in the log, and once the
 * sink answers again they drain from the cursor on, without a gap. Only the lag bound ({@code max-lag-records},
 * {@code max-lag-age}) skips records, and says which.
 */
final class SinkWorker implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(SinkWorker.class.getName());
    /** Waiting this long for more records when fewer than a batch are there makes batches of a busy log fuller. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Records committed by another process are noticed at least this often. */
    private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long FAILURE_LOG_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** The longest {@code Retry-After} honoured. */
    static final long MAX_RETRY_AFTER_NANOS = TimeUnit.MINUTES.toNanos(5);

    /** The counters every worker adds to, by sink. */
    record Counters(LongCounter delivered, LongCounter failures, LongCounter skipped) {
    }

    private final String name;
    private final AuditExportConfig.Delivery delivery;
    private final Sink sink;
    private final AuditDatabase database;
    private final AuditExporter reader;
    private final CursorFile cursor;
    private final Map<String, String> regions;
    private final InstantSource clock;
    private final Counters counters;
    private final Attributes attributes;
    private final Thread thread;

    private volatile CursorFile.Position position;
    private volatile long head;
    private volatile long oldestPendingMillis;
    private volatile boolean stopping;
    private volatile long stopDeadlineNanos;

    SinkWorker(AuditExportConfig.Sink config, Sink sink, AuditDatabase database, Map<String, String> regions,
               InstantSource clock, Counters counters, Attributes attributes) {
        this.name = config.name();
        this.delivery = config.delivery();
        this.sink = sink;
        this.database = database;
        this.reader = new AuditExporter(database);
        this.cursor = new CursorFile(database.file(), name);
        this.regions = regions;
        this.clock = clock;
        this.counters = counters;
        this.attributes = attributes;
        this.position = loadCursor();
        this.head = reader.lastSeq();
        long behind = head - position.seq();
        if (delivery.maxLagRecords() > 0 && behind > delivery.maxLagRecords()) {
            LOGGER.warning(() -> "audit export sink " + name + " starts " + behind + " records behind, beyond its "
                    + "max-lag-records (" + delivery.maxLagRecords() + "): the oldest are skipped");
        }
        this.thread = Thread.ofPlatform().name("veil-audit-export-" + name).daemon(true).unstarted(this::run);
    }

    private CursorFile.Position loadCursor() {
        try {
            CursorFile.Position stored = cursor.load().orElse(CursorFile.Position.START);
            if (stored.seq() == 0) {
                return CursorFile.Position.START;
            }
            if (reader.hash(stored.seq()).filter(hash -> Arrays.equals(hash, stored.hash())).isPresent()) {
                return stored;
            }
            LOGGER.warning(() -> "audit export sink " + name + ": its cursor " + cursor.path() + " (seq "
                    + stored.seq() + ") does not match this audit log's record there (a new log?); the sink starts "
                    + "from the first record");
            return CursorFile.Position.START;
        } catch (IOException e) {
            LOGGER.warning(() -> "audit export sink " + name + ": its cursor " + cursor.path() + " cannot be read ("
                    + e.getClass().getSimpleName() + "); the sink starts from the first record");
            return CursorFile.Position.START;
        }
    }

    void start() {
        thread.start();
    }

    /** Called after each commit: the log now reaches {@code seq}. Never blocks. */
    void committed(long seq) {
        if (seq > head) {
            head = seq;
        }
        LockSupport.unpark(thread);
    }

    String name() {
        return name;
    }

    /** Records committed and not yet acknowledged by the sink. */
    long lag() {
        return Math.max(0, head - position.seq());
    }

    /** How long the oldest record not yet acknowledged has waited, in seconds; 0 when the sink is caught up. */
    double lagSeconds() {
        long oldest = oldestPendingMillis;
        return oldest == 0 || lag() == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1e3;
    }

    /** Whether the sink lags beyond its alert thresholds. */
    boolean lagging() {
        return lag() > delivery.alertLagRecords() || lagSeconds() * 1e3 > delivery.alertLagAge().toMillis();
    }

    /** The sequence number of the last record the sink acknowledged. */
    long deliveredSeq() {
        return position.seq();
    }

    private void run() {
        long backoffNanos = delivery.backoffInitial().toNanos();
        int limit = delivery.batchSize();
        long failures = 0;
        long lastFailureLog = 0;
        boolean wasLagging = false;
        while (true) {
            if (stopping && (position.seq() >= head || System.nanoTime() - stopDeadlineNanos > 0)) {
                break;
            }
            if (position.seq() >= head) {
                oldestPendingMillis = 0;
                LockSupport.parkNanos(this, POLL_NANOS);
                refreshHead();
                continue;
            }
            if (!stopping && head - position.seq() < limit) {
                LockSupport.parkNanos(this, LINGER_NANOS);
            }
            try {
                boundByRecords();
                List<AuditExporter.Committed> records = reader.after(position.seq(), limit);
                if (records.isEmpty()) {
                    LockSupport.parkNanos(this, LINGER_NANOS);
                    refreshHead();
                    continue;
                }
                oldestPendingMillis = records.get(0).createdMillis();
                if (boundByAge(records)) {
                    continue;
                }
                List<Sink.Encoded> batch = new ArrayList<>(records.size());
                long bytes = 0;
                AuditExporter.Committed last = null;
                for (AuditExporter.Committed record : records) {
                    ExportRecord document = ExportRecord.of(record, regions);
                    byte[] encoded = sink.encode(document);
                    if (!batch.isEmpty() && bytes + encoded.length > delivery.batchBytes()) {
                        break;
                    }
                    batch.add(new Sink.Encoded(document, encoded));
                    bytes += encoded.length;
                    last = record;
                }
                sink.deliver(batch);
                advance(new CursorFile.Position(last.seq(), last.hash()));
                counters.delivered().add(batch.size(), attributes);
                if (failures > 0) {
                    long failed = failures;
                    LOGGER.info(() -> "audit export sink " + name + " delivers again after " + failed
                            + " failed attempts; it drains from seq " + records.get(0).seq());
                }
                failures = 0;
                backoffNanos = delivery.backoffInitial().toNanos();
                limit = delivery.batchSize();
            } catch (SinkException e) {
                counters.failures().add(1, attributes);
                failures++;
                if (e.tooLarge()) {
                    limit = Math.max(1, limit / 2);
                }
                long now = System.nanoTime();
                if (failures == 1 || now - lastFailureLog > FAILURE_LOG_NANOS) {
                    lastFailureLog = now;
                    long failed = failures;
                    LOGGER.warning(() -> "audit export sink " + name + " failed (" + e.getMessage() + "); "
                            + failed + " attempts failed so far, " + lag() + " records wait in the audit log; "
                            + "retrying with back-off");
                }
                backOff(waitNanos(backoffNanos, e));
                backoffNanos = Math.min(backoffNanos * 2, delivery.backoffMax().toNanos());
            } catch (AuditException | IOException e) {
                counters.failures().add(1, attributes);
                LOGGER.log(Level.SEVERE, "audit export sink " + name + ": " + (e instanceof IOException
                        ? "cannot write its cursor " + cursor.path() + " (" + e.getClass().getSimpleName() + ")"
                        : e.getMessage()) + "; retrying with back-off");
                backOff(backoffNanos);
                backoffNanos = Math.min(backoffNanos * 2, delivery.backoffMax().toNanos());
            }
            boolean nowLagging = lagging();
            if (nowLagging && !wasLagging) {
                LOGGER.warning(() -> "audit export sink " + name + " lags beyond its alert threshold: " + lag()
                        + " records, the oldest " + Math.round(lagSeconds()) + "s old");
            }
            wasLagging = nowLagging;
        }
        oldestPendingMillis = 0;
    }

    private void refreshHead() {
        try {
            committed(reader.lastSeq());
        } catch (AuditException e) {
            LOGGER.warning(() -> "audit export sink " + name + ": " + e.getMessage());
        }
    }

    private void advance(CursorFile.Position next) throws IOException {
        position = next;
        cursor.store(next);
    }

    /** Skips the oldest waiting records beyond {@code max-lag-records}, saying which. */
    private void boundByRecords() throws IOException {
        long bound = delivery.maxLagRecords();
        long behind = head - position.seq();
        if (bound == 0 || behind <= bound) {
            return;
        }
        long from = position.seq() + 1;
        long to = head - bound;
        skip(from, to, reader.hash(to).orElse(new byte[0]), "max-lag-records (" + bound + ")");
    }

    /** Skips the records at the front of {@code records} older than {@code max-lag-age}; whether it skipped any. */
    private boolean boundByAge(List<AuditExporter.Committed> records) throws IOException {
        if (delivery.maxLagAge().isEmpty()) {
            return false;
        }
        long oldestAllowed = clock.millis() - delivery.maxLagAge().get().toMillis();
        int old = 0;
        while (old < records.size() && records.get(old).createdMillis() < oldestAllowed) {
            old++;
        }
        if (old == 0) {
            return false;
        }
        AuditExporter.Committed last = records.get(old - 1);
        skip(records.get(0).seq(), last.seq(), last.hash(), "max-lag-age (" + delivery.maxLagAge().get() + ")");
        return true;
    }

    private void skip(long from, long to, byte[] hash, String bound) throws IOException {
        LOGGER.warning(() -> "audit export sink " + name + " is behind beyond its " + bound + ": records " + from
                + " to " + to + " are skipped, not sent; they stay in the audit log (./veil audit export --from "
                + from + " --to " + to + ")");
        counters.skipped().add(to - from + 1, attributes);
        advance(new CursorFile.Position(to, hash));
    }

    /**
     * The wait before the next attempt after {@code failure}: the back-off, or longer when the sink asked for longer
     * with a {@code Retry-After} (up to {@link #MAX_RETRY_AFTER_NANOS}, so that a wrong header cannot stall the sink
     * for hours).
     */
    static long waitNanos(long backoffNanos, SinkException failure) {
        return failure.retryAfter().map(after -> Math.max(backoffNanos, Math.min(after.toNanos(),
                MAX_RETRY_AFTER_NANOS))).orElse(backoffNanos);
    }

    /** Waits {@code nanos}, or less once shutdown's deadline has passed. */
    private void backOff(long nanos) {
        long until = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = until - System.nanoTime()) {
            if (stopping && System.nanoTime() - stopDeadlineNanos > 0) {
                return;
            }
            LockSupport.parkNanos(this, stopping ? Math.min(left, Math.max(0, stopDeadlineNanos - System.nanoTime()))
                    : left);
        }
    }

    /** Delivers what it can of what is committed within {@code shutdown-timeout}, then stops. */
    @Override
    public void close() {
        stopDeadlineNanos = System.nanoTime() + delivery.shutdownTimeout().toNanos();
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(delivery.shutdownTimeout().plus(delivery.timeout()).toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
        if (lag() > 0) {
            LOGGER.warning(() -> "audit export sink " + name + " stopped " + lag() + " records behind; they are sent "
                    + "from its cursor at the next start");
        }
        sink.close();
        database.close();
    }
}
