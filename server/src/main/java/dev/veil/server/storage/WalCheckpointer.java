package dev.veil.server.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.sqlite.SQLiteException;

/**
 * Copies the write-ahead log into the database file on its own thread and connection. SQLite would otherwise do it
 * on the committing connection every thousand pages, with an fsync, stalling the writer — and every request waiting
 * for its record — for milliseconds. A passive checkpoint never blocks the writer; the WAL only grows while one lags.
 */
public final class WalCheckpointer implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(WalCheckpointer.class.getName());

    private final Connection connection;
    private final Path file;

    private WalCheckpointer(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
    }

    /**
     * Turns automatic checkpoints off on {@code writer} and checkpoints {@code file} every {@code every} on
     * {@code housekeeping}.
     */
    public static WalCheckpointer start(Connection writer, Path file, ScheduledExecutorService housekeeping,
                                        Duration every) throws SQLException {
        try (Statement statement = writer.createStatement()) {
            statement.execute("PRAGMA wal_autocheckpoint=0");
        }
        WalCheckpointer checkpointer = new WalCheckpointer(
                DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath()), file);
        housekeeping.scheduleWithFixedDelay(checkpointer::checkpoint, every.toMillis(), every.toMillis(),
                TimeUnit.MILLISECONDS);
        return checkpointer;
    }

    private void checkpoint() {
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (SQLException e) {
            LOGGER.fine(() -> "WAL checkpoint of " + file.getFileName() + " skipped (" + reason(e) + ")");
        }
    }

    private static String reason(SQLException e) {
        return e instanceof SQLiteException sqlite ? sqlite.getResultCode().name() : e.getClass().getSimpleName();
    }

    /** Checkpoints once more and closes; call after the housekeeping thread has stopped. */
    @Override
    public void close() {
        checkpoint();
        try {
            connection.close();
        } catch (SQLException e) {
            LOGGER.fine(() -> "cannot close the checkpoint connection of " + file.getFileName() + " (" + reason(e) + ")");
        }
    }
}
