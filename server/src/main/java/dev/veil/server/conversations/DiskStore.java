package dev.veil.server.conversations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

import dev.veil.server.config.ConfigException;
import dev.veil.server.storage.PrivateFiles;
import dev.veil.server.storage.SqliteSchema;
import dev.veil.server.storage.WalCheckpointer;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * Stored responses in one SQLite file ({@code responses.db} under the data dir), 0600, in WAL mode with
 * {@code secure_delete} on, so that a deleted row's bytes are overwritten rather than left in free pages. A row's
 * clear columns are its id, tenant, previous id and times; everything else is one blob sealed by
 * {@link ContentCipher}. One connection, used under a lock, with its statements prepared once: a read or write of one
 * row takes microseconds. The WAL is copied into the file by a {@link WalCheckpointer} on its own connection, so a
 * checkpoint's fsync never stalls a request that keeps a response.
 */
final class DiskStore implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(DiskStore.class.getName());
    private static final String FILE_KEY = "veil.responses.file";
    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, previous_id TEXT,
                created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, nonce BLOB NOT NULL,
                content BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS responses_expiry ON responses (expires_ms);
            """;

    private static final String UPSERT = """
            INSERT INTO responses (id, tenant, previous_id, created_ms, expires_ms, nonce, content)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET previous_id = excluded.previous_id, created_ms = excluded.created_ms,
              expires_ms = excluded.expires_ms, nonce = excluded.nonce, content = excluded.content
            WHERE responses.tenant = excluded.tenant""";
    private static final String SELECT = """
            SELECT previous_id, created_ms, expires_ms, nonce, content FROM responses
            WHERE id = ? AND tenant = ? AND expires_ms > ?""";
    private static final String DELETE = "DELETE FROM responses WHERE id = ? AND tenant = ? AND expires_ms > ?";

    private final Path file;
    private final Connection connection;
    private final ContentCipher cipher;
    private final ReentrantLock lock = new ReentrantLock();
    private final PreparedStatement upsert;
    private final PreparedStatement select;
    private final PreparedStatement delete;
    private WalCheckpointer checkpointer;
    /** Whether rows were deleted since the WAL was last emptied into the file. */
    private boolean deletedSinceCheckpoint;

    private DiskStore(Path file, Connection connection, ContentCipher cipher) throws SQLException {
        this.file = file;
        this.connection = connection;
        this.cipher = cipher;
        this.upsert = connection.prepareStatement(UPSERT);
        this.select = connection.prepareStatement(SELECT);
        this.delete = connection.prepareStatement(DELETE);
    }

    /**
     * Opens (or creates) {@code file}, readable by Veil's user only.
     *
     * @param dataKey the key that seals every row
     * @param keyCheck a value derived from the same KEK that tells whether the file was written under it
     * @throws ConfigException when the file cannot be created or read, or was written under another key
     */
    static DiskStore open(Path file, byte[] dataKey, byte[] keyCheck) {
        boolean exists = Files.exists(file);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                PrivateFiles.createDirectories(parent);
            }
            PrivateFiles.database(file.toAbsolutePath());
        } catch (IOException e) {
            throw new ConfigException(FILE_KEY, "cannot create " + file + " or its directory ("
                    + e.getClass().getSimpleName() + "); check the data dir's permissions");
        }
        Connection connection;
        try {
            SQLiteConfig sqlite = new SQLiteConfig();
            sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
            sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            sqlite.setBusyTimeout(5000);
            sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            // Rows are keyed by the response id: reading back a rowid after every insert is a query for nothing.
            sqlite.setGetGeneratedKeys(false);
            connection = sqlite.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        } catch (SQLException e) {
            throw unreadable(file, exists, e);
        }
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA secure_delete=ON");
                statement.executeUpdate(SCHEMA);
            }
            SqliteSchema.migrate(connection, file, FILE_KEY, List.of());
            checkKey(connection, file, keyCheck);
            return new DiskStore(file, connection, new ContentCipher(dataKey));
        } catch (SQLException e) {
            closeQuietly(connection);
            throw unreadable(file, exists, e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** Without this, a file written under an earlier audit key would answer every read with a refusal. */
    private static void checkKey(Connection connection, Path file, byte[] keyCheck) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT value FROM meta WHERE key = 'key_check'");
             ResultSet row = select.executeQuery()) {
            if (row.next()) {
                if (!MessageDigest.isEqual(row.getBytes(1), keyCheck)) {
                    throw new ConfigException(FILE_KEY, file + " was written under another audit key than the one "
                            + "veil.audit names now, so its conversations cannot be read; restore that key, or move "
                            + "the file away to start with no stored responses");
                }
                return;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO meta (key, value) VALUES ('key_check', ?)")) {
            insert.setBytes(1, keyCheck);
            insert.executeUpdate();
        }
    }

    Path file() {
        return file;
    }

    /**
     * Writes {@code record}, replacing an earlier version of the same response of the same tenant.
     *
     * @throws IllegalStateException when another tenant's response has the id: ids are Veil's own and unique
     */
    void put(StoredResponse record) {
        long created = record.createdAt().toEpochMilli();
        long expires = record.expiresAt().toEpochMilli();
        String previous = record.previousId().orElse(null);
        ContentCipher.Sealed sealed = cipher.seal(ContentCipher.associated(record.id(), record.tenant(), previous,
                created, expires), new ContentCipher.Content(record.model(), record.inputItems(), record.response(),
                record.pseudonyms()));
        lock.lock();
        try {
            upsert.setString(1, record.id());
            upsert.setString(2, record.tenant());
            upsert.setString(3, previous);
            upsert.setLong(4, created);
            upsert.setLong(5, expires);
            upsert.setBytes(6, sealed.nonce());
            upsert.setBytes(7, sealed.ciphertext());
            if (upsert.executeUpdate() == 0) {
                throw new IllegalStateException("response id " + record.id() + " is already another tenant's");
            }
        } catch (SQLException e) {
            throw failure("store", record.id(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The response {@code id} of {@code tenant} that has not expired at {@code now}.
     *
     * @throws VeilException (internal) when the row does not open under this file's key: it was damaged, or edited
     *         or moved by something other than Veil
     */
    Optional<StoredResponse> get(String tenant, String id, Instant now) {
        String previous;
        long created;
        long expires;
        byte[] nonce;
        byte[] content;
        lock.lock();
        try {
            select.setString(1, id);
            select.setString(2, tenant);
            select.setLong(3, now.toEpochMilli());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                previous = row.getString(1);
                created = row.getLong(2);
                expires = row.getLong(3);
                nonce = row.getBytes(4);
                content = row.getBytes(5);
            }
        } catch (SQLException e) {
            throw failure("read", id, e);
        } finally {
            lock.unlock();
        }
        ContentCipher.Content opened;
        try {
            opened = cipher.open(ContentCipher.associated(id, tenant, previous, created, expires), nonce, content);
        } catch (ContentCipher.Refused e) {
            LOGGER.warning(() -> file + ": stored response " + id + " does not open under the audit key (damaged, "
                    + "or edited or moved outside Veil); it is refused. Delete it, or restore the file from a backup");
            throw new VeilException(ErrorKind.INTERNAL, "Veil cannot read its stored response " + id + ": the "
                    + "record fails its integrity check");
        }
        return Optional.of(new StoredResponse(id, tenant, Optional.ofNullable(previous),
                Instant.ofEpochMilli(created), Instant.ofEpochMilli(expires), opened.model(), opened.inputItems(),
                opened.response(), opened.pseudonyms(), false));
    }

    /**
     * Deletes the response {@code id} of {@code tenant} not expired at {@code now}; whether there was one. An expired
     * one is the sweep's to delete.
     */
    boolean delete(String tenant, String id, Instant now) {
        lock.lock();
        try {
            delete.setString(1, id);
            delete.setString(2, tenant);
            delete.setLong(3, now.toEpochMilli());
            boolean deleted = delete.executeUpdate() > 0;
            deletedSinceCheckpoint |= deleted;
            return deleted;
        } catch (SQLException e) {
            throw failure("delete", id, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes every row expired at {@code now}; then, when anything was deleted since the last time, empties the WAL
     * into the file and truncates it, so that the deleted rows' old pages do not stay behind in the WAL.
     *
     * @return how many rows expired
     */
    int sweep(Instant now) {
        lock.lock();
        try {
            int expired;
            try (PreparedStatement expire = connection.prepareStatement(
                    "DELETE FROM responses WHERE expires_ms <= ?")) {
                expire.setLong(1, now.toEpochMilli());
                expired = expire.executeUpdate();
            }
            if (expired > 0 || deletedSinceCheckpoint) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
                deletedSinceCheckpoint = false;
            }
            return expired;
        } catch (SQLException e) {
            throw failure("sweep expired responses from", "", e);
        } finally {
            lock.unlock();
        }
    }

    /** Copies the WAL into the file every {@code every} on {@code housekeeping}, off the writing connection. */
    void checkpointEvery(ScheduledExecutorService housekeeping, Duration every) {
        try {
            checkpointer = WalCheckpointer.start(connection, file, housekeeping, every);
        } catch (SQLException e) {
            throw failure("start checkpoints of", "", e);
        }
    }

    /** Closes the file; call after the housekeeping thread has stopped. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (checkpointer != null) {
                checkpointer.close();
            }
            closeQuietly(connection);
        } finally {
            lock.unlock();
        }
    }

    private VeilException failure(String action, String id, SQLException e) {
        LOGGER.warning(() -> "cannot " + action + " " + (id.isEmpty() ? "" : "stored response " + id + " in ") + file
                + " (" + reason(e) + ")");
        return new VeilException(ErrorKind.UNAVAILABLE, "Veil cannot reach its store of responses now; retry later",
                e);
    }

    private static ConfigException unreadable(Path file, boolean exists, SQLException e) {
        return new ConfigException(FILE_KEY, file + " cannot be " + (exists ? "read as Veil's store of responses ("
                + reason(e) + "); move it away to start with no stored responses"
                : "created (" + reason(e) + "); check that its directory is writable"));
    }

    private static String reason(SQLException e) {
        return e instanceof SQLiteException sqlite ? sqlite.getResultCode().name() : e.getClass().getSimpleName();
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing a broken connection has nothing left to tell.
        }
    }
}
