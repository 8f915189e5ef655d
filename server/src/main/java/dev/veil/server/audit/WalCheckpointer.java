package dev.veil.server.audit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Copies the write-ahead log into the database file on its own thread and connection. SQLite would otherwise do it
 * on the committing connection every thousand pages, with an fsync, stalling the writer — and every request waiting
 * for its record — for milliseconds. A passive checkpoint never blocks the writer; the WAL only grows while one lags.
 */
final class WalCheckpointer implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(WalCheckpointer.class.getName());

    private final Connection connection;

    private WalCheckpointer(Connection connection) {
        this.connection = connection;
    }

    /**
     * Turns automatic checkpoints off on {@code writer} and checkpoints {@code file} every {@code every} on
     * {@code housekeeping}.
     */
    static WalCheckpointer start(Connection writer, Path file, ScheduledExecutorService housekeeping, Duration every)
            throws SQLException {
        try (Statement statement = writer.createStatement()) {
            statement.execute("PRAGMA wal_autocheckpoint=0");
        }
        WalCheckpointer checkpointer = new WalCheckpointer(
                DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath()));
        housekeeping.scheduleWithFixedDelay(checkpointer::checkpoint, every.toMillis(), every.toMillis(),
                TimeUnit.MILLISECONDS);
        return checkpointer;
    }

    private void checkpoint() {
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (SQLException e) {
            LOGGER.fine(() -> "audit WAL checkpoint skipped (" + AuditDatabase.reason(e) + ")");
        }
    }

    /** Checkpoints once more and closes; call after the housekeeping thread has stopped. */
    @Override
    public void close() {
        checkpoint();
        try {
            connection.close();
        } catch (SQLException e) {
            LOGGER.fine(() -> "cannot close the audit checkpoint connection (" + AuditDatabase.reason(e) + ")");
        }
    }
}
