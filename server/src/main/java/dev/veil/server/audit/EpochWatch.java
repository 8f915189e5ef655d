package dev.veil.server.audit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The data-key epoch the writer encrypts under, re-read from the file every second on the housekeeping thread and its
 * own connection, so that {@code veil audit rotate-key} run against a live log takes effect within a second. Reading
 * it on the writer instead cost a query once a second that ran too rarely to be compiled, and stalled every request
 * waiting for a commit. Epochs only move forward: a read that raced the writer's own rotation never undoes it.
 */
final class EpochWatch implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(EpochWatch.class.getName());

    /** An epoch and when it started. */
    record Epoch(long number, long startedMillis) {
    }

    private final Connection connection;
    private final InstantSource clock;
    private final AtomicReference<Epoch> current;

    private EpochWatch(Connection connection, InstantSource clock) throws SQLException {
        this.connection = connection;
        this.clock = clock;
        this.current = new AtomicReference<>(read());
    }

    /** Reads the epoch of {@code file} now, and again only when {@link #refresh} is called. */
    static EpochWatch open(Path file, InstantSource clock) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try {
            return new EpochWatch(connection, clock);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    /** Reads the epoch of {@code file} now, then every {@code every} on {@code housekeeping}. */
    static EpochWatch start(Path file, InstantSource clock, ScheduledExecutorService housekeeping, Duration every)
            throws SQLException {
        EpochWatch watch = open(file, clock);
        housekeeping.scheduleWithFixedDelay(watch::refresh, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    Epoch current() {
        return current.get();
    }

    /** Records an epoch the writer has committed, unless a later one is already known. */
    void advance(Epoch epoch) {
        current.accumulateAndGet(epoch, (known, next) -> next.number() > known.number() ? next : known);
    }

    /** Re-reads the file's epoch, as {@code rotate-key} run against a live log changes it. */
    void refresh() {
        try {
            advance(read());
        } catch (SQLException e) {
            LOGGER.fine(() -> "audit epoch not re-read (" + AuditDatabase.reason(e) + ")");
        }
    }

    /**
     * The epoch as the file has it. A value that is unreadable or out of range (changed since the writer checked it
     * at startup) is read as epoch 0 started now, which {@link #advance} never takes over a later epoch.
     */
    private Epoch read() throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT key, value FROM meta WHERE key IN ('epoch', 'epoch_started_ms')");
             ResultSet rows = select.executeQuery()) {
            long number = 0;
            long now = clock.millis();
            long started = now;
            while (rows.next()) {
                if ("epoch".equals(rows.getString(1))) {
                    number = AuditDatabase.number(rows.getBytes(2), 0, AuditDatabase.MAX_EPOCH).orElse(0);
                } else {
                    started = AuditDatabase.number(rows.getBytes(2), 0, AuditDatabase.latestEpochStart(now))
                            .orElse(started);
                }
            }
            return new Epoch(number, started);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            LOGGER.fine(() -> "cannot close the audit epoch connection (" + AuditDatabase.reason(e) + ")");
        }
    }
}
