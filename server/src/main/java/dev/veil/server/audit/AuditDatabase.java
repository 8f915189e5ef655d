package dev.veil.server.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigException;
import dev.veil.server.storage.PrivateFiles;
import dev.veil.server.storage.SqliteSchema;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * The audit log's SQLite file: its schema, its meta table (key check, public key, passphrase salt, current epoch, the
 * node that writes it), and the checks that make a missing or wrong key a clear error instead of a silently new log.
 * Plaintext columns hold sequence numbers, times, epochs, node ids, nonces and hashes: nothing about a request. The
 * file and SQLite's files beside it are readable by Veil's user only (0600).
 *
 * <p>Rows are evidence: Veil never changes or removes one, whatever it holds. A damaged key check or passphrase salt
 * stops the start with a message naming the fix, because without them Veil cannot tell whether its key is the log's.
 * The data-key epoch in {@code meta} is bookkeeping, not evidence (every record carries its own epoch): when it is
 * unreadable or out of range, the writer starts a new epoch and says so.
 */
public final class AuditDatabase implements AutoCloseable {
    static final int FORMAT = 1;
    /** Epochs beyond this are damage: a new epoch a minute for a thousand years stays far below it. */
    static final long MAX_EPOCH = 1_000_000_000L;
    private static final Logger LOGGER = Logger.getLogger(AuditDatabase.class.getName());
    private static final long DAY_MILLIS = 86_400_000L;
    private static final int SALT_BYTES = 16;
    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL,
                epoch INTEGER NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, prev_hash BLOB NOT NULL,
                hash BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS checkpoints (seq INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL,
                hash BLOB NOT NULL, signature BLOB NOT NULL);
            """;

    /**
     * Schema upgrades from version 1: version 2 names the node that wrote each record; rows from before it keep a NULL
     * node id and verify as they were written. Version 3 adds the inbox where local commands ({@code veil audit
     * rotate-key}, {@code export}) post their admin records for the running Veil to chain ({@link #post}).
     */
    private static final List<String> UPGRADES = List.of("ALTER TABLE records ADD COLUMN node_id TEXT",
            "CREATE TABLE admin_inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, created_ms INTEGER NOT NULL, "
                    + "event TEXT NOT NULL)");

    private final Path file;
    private final Connection connection;
    private final AuditKeys keys;
    private final InstantSource clock;

    private AuditDatabase(Path file, Connection connection, AuditKeys keys, InstantSource clock) {
        this.file = file;
        this.connection = connection;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * Opens the log of {@code config}, creating it when {@code create} is set and the file does not exist yet.
     *
     * @throws ConfigException when the key is missing, malformed or not the one the log was written with, or when
     *         the file is not a readable audit log; the message names the setting and the fix
     */
    public static AuditDatabase open(AuditConfig config, boolean create) {
        return open(config, create, InstantSource.system());
    }

    /**
     * Opens the log of {@code config} as {@link #open(AuditConfig, boolean)} does; epochs it starts are stamped by
     * {@code clock}.
     */
    public static AuditDatabase open(AuditConfig config, boolean create, InstantSource clock) {
        Path file = config.database();
        boolean exists = Files.exists(file);
        if (!exists && !create) {
            throw new ConfigException("veil.audit.file", file + " does not exist; Veil creates it on its first start "
                    + "with veil.audit set, or point veil.audit.file at an existing log");
        }
        byte[] rawKey = config.key() instanceof AuditConfig.PassphraseEnv ? null : rawKey(config.key());
        try {
            if (file.toAbsolutePath().getParent() != null) {
                PrivateFiles.createDirectories(file.toAbsolutePath().getParent());
            }
            PrivateFiles.database(file.toAbsolutePath());
        } catch (IOException e) {
            throw new ConfigException("veil.audit.file", "cannot create " + file + " or its directory ("
                    + e.getClass().getSimpleName() + "); check the data dir's permissions");
        }
        Connection connection = connect(file, !config.async() && config.fsync(), exists);
        try {
            AuditKeys keys = keys(connection, config.key(), rawKey, file, clock);
            return new AuditDatabase(file, connection, keys, clock);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    Connection connection() {
        return connection;
    }

    AuditKeys keys() {
        return keys;
    }

    /** Reads a meta value; a NULL value reads as absent. */
    Optional<byte[]> meta(String key) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            select.setString(1, key);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.ofNullable(row.getBytes(1)) : Optional.empty();
            }
        }
    }

    /** A meta number from {@code min} to {@code max}; empty when absent, unparsable or out of range. */
    OptionalLong metaNumber(String key, long min, long max) throws SQLException {
        return number(meta(key).orElse(null), min, max);
    }

    /** Decimal ASCII digits from {@code min} to {@code max}, as meta stores numbers; empty for anything else. */
    static OptionalLong number(byte[] value, long min, long max) {
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            long number = Long.parseLong(new String(value, StandardCharsets.US_ASCII));
            return number < min || number > max ? OptionalLong.empty() : OptionalLong.of(number);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The latest time an epoch may have started: later is damage (a clock a day fast is not). */
    static long latestEpochStart(long now) {
        return now + DAY_MILLIS;
    }

    /** The current epoch: meta's, or when that is unreadable the highest any record used. */
    long currentEpoch() throws SQLException {
        OptionalLong epoch = metaNumber("epoch", 0, MAX_EPOCH);
        return epoch.isPresent() ? epoch.getAsLong() : highestRecordEpoch();
    }

    private long highestRecordEpoch() throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT MAX(epoch) FROM records "
                + "WHERE typeof(epoch) = 'integer' AND epoch BETWEEN 0 AND ?")) {
            select.setLong(1, MAX_EPOCH);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }

    /**
     * Before the writer starts: when meta's epoch or its start time is unreadable or out of range (damage, or an
     * edit), starts a new epoch above every epoch a record used, now. Records are untouched; verify still checks
     * each under its own epoch's key.
     */
    void repairEpoch() throws SQLException {
        OptionalLong epoch = metaNumber("epoch", 0, MAX_EPOCH - 1);
        OptionalLong started = metaNumber("epoch_started_ms", 0, latestEpochStart(clock.millis()));
        if (epoch.isPresent() && started.isPresent()) {
            return;
        }
        long next = Math.max(epoch.orElse(0), highestRecordEpoch()) + 1;
        connection.setAutoCommit(false);
        try {
            putMeta("epoch", next);
            putMeta("epoch_started_ms", clock.millis());
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw e;
        } finally {
            autoCommit();
        }
        LOGGER.warning(() -> file + ": meta." + (epoch.isEmpty() ? "epoch" : "epoch_started_ms") + " was unreadable "
                + "or out of range; started data-key epoch " + next + " for new records (existing records are "
                + "untouched; ./veil audit verify checks them)");
    }

    /** The node id of the Veil that last opened this log to write, as meta states it; empty before node ids. */
    public Optional<String> nodeId() {
        try {
            return meta("node_id").map(value -> new String(value, StandardCharsets.UTF_8));
        } catch (SQLException e) {
            throw new AuditException("the log cannot be read (" + reason(e) + ")");
        }
    }

    /** The node ids the records name, in the order each first appears; records from before node ids name none. */
    List<String> recordNodeIds() {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT node_id FROM records WHERE typeof(node_id) = 'text' "
                     + "GROUP BY node_id ORDER BY MIN(seq)")) {
            List<String> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
            return ids;
        } catch (SQLException e) {
            throw new AuditException("the log cannot be read (" + reason(e) + ")");
        }
    }

    /**
     * States in meta that {@code nodeId} writes this log from now on. A log written under another node id (a
     * renamed replica, or a data dir moved to another machine) is taken over with a warning: each record keeps the
     * node id it was written with.
     */
    void claimNode(String nodeId) throws SQLException {
        Optional<String> previous = meta("node_id").map(value -> new String(value, StandardCharsets.UTF_8));
        if (previous.filter(nodeId::equals).isPresent()) {
            return;
        }
        putMeta("node_id", nodeId.getBytes(StandardCharsets.UTF_8));
        previous.ifPresent(other -> LOGGER.warning(() -> file + " was written by node " + other + " and is now "
                + "written by node " + nodeId + " (veil.node-id); its records name the node that wrote each"));
    }

    void putMeta(String key, byte[] value) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
            upsert.setString(1, key);
            upsert.setBytes(2, value);
            upsert.executeUpdate();
        }
    }

    void putMeta(String key, long value) throws SQLException {
        putMeta(key, Long.toString(value).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Starts a new data-key epoch now, whatever the rotation period says; records written from here on use the new
     * epoch's key. Returns the new epoch.
     */
    /**
     * Posts an admin record for the Veil that writes this log to chain: a local command cannot append to a chain a
     * running Veil holds the head of. The inbox holds what an admin record holds (who, what, the outcome), never
     * request content or a secret; Veil moves it into the chain within a second, or at its next start.
     */
    public void post(AdminEvent event) {
        long now = clock.millis();
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO admin_inbox (created_ms, event) VALUES (?, ?)")) {
            insert.setLong(1, now);
            insert.setString(2, new String(AuditPayload.encode(event, now), StandardCharsets.UTF_8));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new AuditException("cannot post an admin record to " + file, e);
        }
    }

    /**
     * An admin record a local command posted.
     *
     * @param id its place in the inbox
     * @param createdMillis when it was posted
     * @param event the record
     */
    record Posted(long id, long createdMillis, AdminEvent event) {
    }

    /** The admin records posted and not yet chained, oldest first; a row that cannot be read is skipped, and logged. */
    List<Posted> posted() throws SQLException {
        List<Posted> posted = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id, created_ms, event FROM admin_inbox ORDER BY id LIMIT 1000");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                long id = rows.getLong(1);
                Optional<AdminEvent> event = AuditPayload.decodeAdmin(rows.getString(3));
                if (event.isPresent()) {
                    posted.add(new Posted(id, rows.getLong(2), event.get()));
                } else {
                    LOGGER.warning(() -> "admin inbox row " + id + " of " + file + " is not an admin record; "
                            + "it is dropped");
                    removePosted(id, id);
                }
            }
        }
        return posted;
    }

    /** Drops the inbox rows from {@code first} to {@code last}: they are in the chain. */
    void removePosted(long first, long last) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM admin_inbox WHERE id BETWEEN ? AND ?")) {
            delete.setLong(1, first);
            delete.setLong(2, last);
            delete.executeUpdate();
        }
    }

    public long rotate() {
        try {
            connection.setAutoCommit(false);
            long epoch = Math.min(currentEpoch(), MAX_EPOCH - 1) + 1;
            putMeta("epoch", epoch);
            putMeta("epoch_started_ms", clock.millis());
            connection.commit();
            return epoch;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new AuditException("cannot start a new epoch in " + file, e);
        } finally {
            autoCommit();
        }
    }

    void rollbackQuietly() {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException ignored) {
            // The connection is broken; the next transaction reports it.
        }
    }

    private void autoCommit() {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // The connection is broken; the next statement reports it.
        }
    }

    @Override
    public void close() {
        closeQuietly(connection);
    }

    private static Connection connect(Path file, boolean fsync, boolean exists) {
        try {
            SQLiteConfig sqlite = new SQLiteConfig();
            sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
            // WAL with NORMAL: a commit is in the log file, safe from any crash of this process; FULL adds an fsync
            // per commit, safe from a power loss too.
            sqlite.setSynchronous(fsync ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
            sqlite.setBusyTimeout(5000);
            sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            Connection connection = sqlite.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate(SCHEMA);
                SqliteSchema.migrate(connection, file, "veil.audit.file", UPGRADES);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(connection);
                throw e;
            }
            return connection;
        } catch (SQLException e) {
            throw new ConfigException("veil.audit.file", file + " cannot be " + (exists ? "read as an audit log ("
                    + reason(e) + "); restore it from a backup, or move it away to start a new log"
                    : "created (" + reason(e) + "); check that the data dir is writable"));
        }
    }

    private static AuditKeys keys(Connection connection, AuditConfig.KeySource source, byte[] rawKey, Path file,
                                   InstantSource clock) {
        try {
            AuditDatabase meta = new AuditDatabase(file, connection, null, clock);
            Optional<byte[]> check = meta.meta("key_check");
            Optional<byte[]> salt = meta.meta("salt");
            boolean passphrase = source instanceof AuditConfig.PassphraseEnv;
            if (check.isEmpty()) {
                if (hasRecords(connection)) {
                    throw new ConfigException("veil.audit.file", file + " holds records but no key check "
                            + "(meta.key_check); the log was tampered with or damaged. Run ./veil audit verify, and "
                            + "restore the file from a backup, or move it away (keep it as evidence) to start a new "
                            + "log");
                }
                return initialise(meta, source, rawKey, passphrase);
            }
            if (check.get().length != AuditKeys.KEY_BYTES || salt.filter(s -> s.length != SALT_BYTES).isPresent()) {
                throw new ConfigException("veil.audit.file", file + ": its " + (check.get().length
                        != AuditKeys.KEY_BYTES ? "key check (meta.key_check)" : "passphrase salt (meta.salt)")
                        + " is damaged, so Veil cannot tell whether " + source.configKey() + " is the key the log "
                        + "was written with: restore the file from a backup, or move it away (keep it as evidence: "
                        + "./veil audit verify shows what else changed) to start a new log");
            }
            if (salt.isPresent() != passphrase) {
                throw new ConfigException(source.configKey(), "does not match how the audit log " + file + " was "
                        + "created: it was made with " + (salt.isPresent() ? "a passphrase; set passphrase-env"
                        : "a key; set key-file or key-env") + " to the secret it was written with");
            }
            AuditKeys keys = passphrase ? AuditKeys.fromPassphrase(((AuditConfig.PassphraseEnv) source).value()
                    .reveal(), salt.get()) : AuditKeys.of(rawKey);
            if (!keys.matches(check.get())) {
                throw new ConfigException(source.configKey(), "is not the key the audit log " + file + " was written "
                        + "with; restore that key (a new key cannot read or extend an existing log), or move the "
                        + "log away to start a new one");
            }
            return keys;
        } catch (SQLException e) {
            throw new ConfigException("veil.audit.file", file + " cannot be read as an audit log (" + reason(e)
                    + "); restore it from a backup, or move it away to start a new log");
        }
    }

    private static AuditKeys initialise(AuditDatabase meta, AuditConfig.KeySource source, byte[] rawKey,
                                        boolean passphrase) throws SQLException {
        Connection connection = meta.connection;
        connection.setAutoCommit(false);
        try {
            AuditKeys keys;
            if (passphrase) {
                byte[] salt = new byte[SALT_BYTES];
                new SecureRandom().nextBytes(salt);
                keys = AuditKeys.fromPassphrase(((AuditConfig.PassphraseEnv) source).value().reveal(), salt);
                meta.putMeta("salt", salt);
            } else {
                keys = AuditKeys.of(rawKey);
            }
            meta.putMeta("format", FORMAT);
            meta.putMeta("key_check", keys.checkValue());
            meta.putMeta("public_key", keys.publicKey());
            meta.putMeta("epoch", 0);
            meta.putMeta("epoch_started_ms", meta.clock.millis());
            connection.commit();
            return keys;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static boolean hasRecords(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM records)")) {
            return row.next() && row.getInt(1) == 1;
        }
    }

    /** The KEK from a key file or an environment variable, as 32 bytes; never echoes what it read. */
    static byte[] rawKey(AuditConfig.KeySource source) {
        String encoded;
        String where;
        if (source instanceof AuditConfig.KeyFile keyFile) {
            where = keyFile.path().toString();
            if (!Files.exists(keyFile.path())) {
                throw new ConfigException(source.configKey(), where + " does not exist; restore the key the audit "
                        + "log was written with, or for a new log create one: head -c 32 /dev/urandom | base64 > "
                        + where + " && chmod 600 " + where);
            }
            try {
                encoded = Files.readString(keyFile.path(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new ConfigException(source.configKey(), where + " cannot be read ("
                        + e.getClass().getSimpleName() + "); check its permissions");
            }
        } else if (source instanceof AuditConfig.KeyEnv keyEnv) {
            where = "environment variable " + keyEnv.variable();
            encoded = keyEnv.value().reveal();
        } else {
            throw new IllegalArgumentException("a passphrase is not a raw key");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != AuditKeys.KEY_BYTES) {
            throw new ConfigException(source.configKey(), where + " does not hold a base64-encoded 32-byte key; "
                    + "create one with: head -c 32 /dev/urandom | base64");
        }
        return key;
    }

    static String reason(SQLException e) {
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
