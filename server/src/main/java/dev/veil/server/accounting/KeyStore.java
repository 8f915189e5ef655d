package dev.veil.server.accounting;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.veil.server.config.ConfigException;
import dev.veil.server.storage.PrivateFiles;
import dev.veil.server.storage.SqliteSchema;

/**
 * Keys, tenants, teams, budgets, spend and sent alerts in one SQLite file ({@code keys.db} under the data dir), in
 * WAL mode. One connection, each method holding the store's lock throughout: only admin calls, startup and the
 * background spend writer use it, never the request path, which reads in-memory copies.
 *
 * <p>Startup never dies on a stored row: rows Veil could not have written are quarantined when the store opens (see
 * {@link Quarantine}), and reads skip any that appear later, so that one bad row costs that row, not the service.
 */
final class KeyStore extends JdbcAccountingStore {
    static final String FILE = "keys.db";
    /** Spend sums stay far below overflow, whatever the rows hold. */
    private static final double MAX_SPENT_MICROS = 1e18;

    /**
     * A table of the store: how Veil creates it, the columns it reads, and its primary key.
     *
     * @param name the table
     * @param definition its {@code CREATE TABLE IF NOT EXISTS} statement
     * @param columns every column
     * @param key the primary key's columns
     */
    record Table(String name, String definition, List<String> columns, List<String> key) {
    }

    /** Every table, in the order they are checked; a file that lacks one (older, or damaged) gets it created. */
    static final List<Table> TABLES = List.of(
            new Table("keys", """
                    CREATE TABLE IF NOT EXISTS keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, tenant TEXT NOT NULL,
                      team TEXT NOT NULL, labels TEXT NOT NULL, models TEXT NOT NULL, scope TEXT NOT NULL,
                      expires_at TEXT, rpm INTEGER NOT NULL, tpm INTEGER NOT NULL, salt BLOB NOT NULL,
                      hash BLOB NOT NULL, created_at TEXT NOT NULL, rotated_at TEXT, revoked_at TEXT)""",
                    List.of("id", "name", "tenant", "team", "labels", "models", "scope", "expires_at", "rpm", "tpm",
                            "salt", "hash", "created_at", "rotated_at", "revoked_at"), List.of("id")),
            new Table("budgets", """
                    CREATE TABLE IF NOT EXISTS budgets (scope TEXT PRIMARY KEY, kind TEXT NOT NULL,
                      tenant TEXT NOT NULL, team TEXT NOT NULL, key_id TEXT NOT NULL, user_id TEXT NOT NULL,
                      period TEXT NOT NULL, limit_micros INTEGER NOT NULL, soft_micros INTEGER NOT NULL)""",
                    List.of("scope", "kind", "tenant", "team", "key_id", "user_id", "period", "limit_micros",
                            "soft_micros"), List.of("scope")),
            new Table("spend", """
                    CREATE TABLE IF NOT EXISTS spend (day TEXT NOT NULL, key_id TEXT NOT NULL,
                      tenant TEXT NOT NULL, team TEXT NOT NULL, user_id TEXT NOT NULL, model TEXT NOT NULL,
                      requests INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL,
                      completion_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,
                      reasoning_tokens INTEGER NOT NULL, cost_micros INTEGER NOT NULL,
                      PRIMARY KEY (day, key_id, tenant, team, user_id, model))""",
                    List.of("day", "key_id", "tenant", "team", "user_id", "model", "requests", "prompt_tokens",
                            "completion_tokens", "cached_tokens", "reasoning_tokens", "cost_micros"),
                    List.of("day", "key_id", "tenant", "team", "user_id", "model")),
            new Table("tenants", """
                    CREATE TABLE IF NOT EXISTS tenants (name TEXT PRIMARY KEY, created_at TEXT NOT NULL)""",
                    List.of("name", "created_at"), List.of("name")),
            new Table("teams", """
                    CREATE TABLE IF NOT EXISTS teams (tenant TEXT NOT NULL, name TEXT NOT NULL,
                      created_at TEXT NOT NULL, PRIMARY KEY (tenant, name))""",
                    List.of("tenant", "name", "created_at"), List.of("tenant", "name")),
            new Table("alerts", """
                    CREATE TABLE IF NOT EXISTS alerts (scope TEXT NOT NULL, period_start TEXT NOT NULL,
                      sent_at TEXT NOT NULL, PRIMARY KEY (scope, period_start))""",
                    List.of("scope", "period_start", "sent_at"), List.of("scope", "period_start")));

    /**
     * Schema version 2 gave budgets and spend a {@code user_id} column ({@code ''} where no user is named: keys, and
     * every row from before), and spend's primary key the user. SQLite adds a column in place; the new primary key
     * comes from {@link Quarantine}'s rebuild of a table that is not as Veil defines it, which first moves aside any
     * row that would not fit.
     */
    static final String USER_COLUMN = "user_id";
    private static final List<String> GAINED_USER = List.of("budgets", "spend");

    /** Where bad rows go; Veil writes it with plain inserts, so it needs its columns and no constraint. */
    static final Table QUARANTINE = new Table("quarantine", """
            CREATE TABLE IF NOT EXISTS quarantine (id INTEGER PRIMARY KEY, source TEXT NOT NULL, row_key TEXT,
              reason TEXT NOT NULL, quarantined_at TEXT NOT NULL, row TEXT NOT NULL)""",
            List.of("source", "row_key", "reason", "quarantined_at", "row"), List.of("id"));

    private final Connection connection;

    private KeyStore(Connection connection, InstantSource clock) {
        super(clock, new Dialect(StoredRows.VALID_SPEND, "TOTAL(cost_micros)", ""),
                "(changed since startup by another process?); they are quarantined at the next start");
        this.connection = connection;
    }

    /**
     * Opens (or creates) {@code keys.db} in {@code dataDir}, both readable by Veil's user only, and quarantines every
     * row Veil could not have written.
     *
     * @throws ConfigException when the file is not a database or lacks a table or column Veil needs; the message
     *         names the fix
     */
    static KeyStore open(Path dataDir, InstantSource clock) {
        Path file = PrivateFiles.databaseIn(dataDir, FILE);
        Connection connection;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        } catch (SQLException e) {
            throw unreadable(file, e);
        }
        try {
            List<String> withoutUser;
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=5000");
                for (Table table : TABLES) {
                    s.execute(table.definition());
                }
                s.execute(QUARANTINE.definition());
                withoutUser = withoutUserColumn(connection);
            }
            int from = SqliteSchema.version(connection);
            SqliteSchema.migrate(connection, file, "veil.data-dir", List.of(userUpgrade(withoutUser)));
            boolean upgraded = from <= SqliteSchema.BASE && !withoutUser.isEmpty();
            checkColumns(connection, file);
            KeyStore store = new KeyStore(connection, clock);
            new Quarantine(connection, file, clock).sweep(upgraded ? Set.copyOf(withoutUser) : Set.of());
            return store;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw unreadable(file, e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** Of the tables that gained {@code user_id} in version 2, those that lack it: created by an older Veil. */
    private static List<String> withoutUserColumn(Connection connection) throws SQLException {
        List<String> without = new ArrayList<>();
        for (String table : GAINED_USER) {
            if (!columns(connection, table).contains(USER_COLUMN)) {
                without.add(table);
            }
        }
        return without;
    }

    /**
     * The upgrade to version 2: the user column for each of {@code tables}. A table created by this open already has
     * it, so a file new or damaged (a table missing) gets only what it lacks; with nothing to add, the step only
     * records the version.
     */
    private static String userUpgrade(List<String> tables) {
        if (tables.isEmpty()) {
            return "PRAGMA user_version = 2";
        }
        StringBuilder sql = new StringBuilder();
        for (String table : tables) {
            sql.append("ALTER TABLE ").append(table).append(" ADD COLUMN ").append(USER_COLUMN)
                    .append(" TEXT NOT NULL DEFAULT '';");
        }
        return sql.toString();
    }

    private static List<String> columns(Connection connection, String table) throws SQLException {
        List<String> present = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet r = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (r.next()) {
                present.add(r.getString("name"));
            }
        }
        return present;
    }

    /** A table rebuilt without a column Veil reads is damage no row-by-row quarantine can work around. */
    private static void checkColumns(Connection connection, Path file) throws SQLException {
        List<Table> tables = new ArrayList<>(TABLES);
        tables.add(QUARANTINE);
        for (Table table : tables) {
            List<String> present = columns(connection, table.name());
            for (String column : table.columns()) {
                if (!present.contains(column)) {
                    throw new ConfigException("veil.data-dir", file + ": table " + table.name() + " has no column "
                            + column + ", so the file was damaged or edited by hand; restore it from a backup, or "
                            + "move it away (keep it for investigation) to start with no keys, budgets or spend");
                }
            }
        }
    }

    private static ConfigException unreadable(Path file, SQLException e) {
        return new ConfigException("veil.data-dir", file + " cannot be read as Veil's key store (SQLite error "
                + e.getErrorCode() + "); restore it from a backup, or move it away (keep it for investigation) to "
                + "start with no keys, budgets or spend");
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Failing to open already; the first error is the one to report.
        }
    }

    /** The one connection, under the store's lock for the whole of each method. */
    @Override
    synchronized <T> T withConnection(Work<T> work) throws SQLException {
        return work.run(connection);
    }

    @Override
    String ignoringConflict(String insert) {
        return "INSERT OR IGNORE" + insert.substring("INSERT".length());
    }

    /** SQLite has no date type: days are ISO-8601 text, which compares in date order. */
    @Override
    Object dayParameter(LocalDate day) {
        return day.toString();
    }

    @Override
    LocalDate day(ResultSet r) throws SQLException {
        return LocalDate.parse(r.getString("day"));
    }

    @Override
    long costTotal(ResultSet r) throws SQLException {
        return (long) Math.min(r.getDouble(1), MAX_SPENT_MICROS);
    }

    @Override
    String describe(SQLException e) {
        return "SQLite error " + e.getErrorCode();
    }

    @Override
    Set<String> quarantinedBudgetScopes(Connection connection) {
        Set<String> scopes = new HashSet<>();
        try (PreparedStatement s = connection.prepareStatement("SELECT row_key FROM quarantine WHERE source = "
                + "'budgets' AND typeof(row_key) = 'text'");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                scopes.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw failure("read quarantined budgets", e);
        }
        return scopes;
    }

    @Override
    public synchronized void addSpend(List<SpendDelta> deltas) {
        if (deltas.isEmpty()) {
            return;
        }
        try {
            connection.setAutoCommit(false);
            upsertSpend(connection, deltas);
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // The original failure is the one worth reporting.
            }
            throw failure("write spend", e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // Next statement reports a broken connection.
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing at shutdown; nothing left to protect.
        }
    }
}
