package dev.veil.server.accounting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.ConfigException;
import dev.veil.server.storage.PrivateFiles;
import dev.veil.server.storage.SqliteSchema;

/**
 * Keys, tenants, teams, budgets, spend and sent alerts in one SQLite file ({@code keys.db} under the data dir), in
 * WAL mode. One connection, every method synchronized: only admin calls, startup and the background spend writer
 * use it, never the request path, which reads in-memory copies.
 *
 * <p>Startup never dies on a stored row: rows Veil could not have written are quarantined when the store opens (see
 * {@link Quarantine}), and reads skip any that appear later, so that one bad row costs that row, not the service.
 */
final class KeyStore implements AccountingStore {
    static final String FILE = "keys.db";
    private static final Logger LOGGER = Logger.getLogger(KeyStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
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
                      tenant TEXT NOT NULL, team TEXT NOT NULL, key_id TEXT NOT NULL, period TEXT NOT NULL,
                      limit_micros INTEGER NOT NULL, soft_micros INTEGER NOT NULL)""",
                    List.of("scope", "kind", "tenant", "team", "key_id", "period", "limit_micros", "soft_micros"),
                    List.of("scope")),
            new Table("spend", """
                    CREATE TABLE IF NOT EXISTS spend (day TEXT NOT NULL, key_id TEXT NOT NULL,
                      tenant TEXT NOT NULL, team TEXT NOT NULL, model TEXT NOT NULL,
                      requests INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL,
                      completion_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,
                      reasoning_tokens INTEGER NOT NULL, cost_micros INTEGER NOT NULL,
                      PRIMARY KEY (day, key_id, tenant, team, model))""",
                    List.of("day", "key_id", "tenant", "team", "model", "requests", "prompt_tokens",
                            "completion_tokens", "cached_tokens", "reasoning_tokens", "cost_micros"),
                    List.of("day", "key_id", "tenant", "team", "model")),
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

    /** Where bad rows go; Veil writes it with plain inserts, so it needs its columns and no constraint. */
    static final Table QUARANTINE = new Table("quarantine", """
            CREATE TABLE IF NOT EXISTS quarantine (id INTEGER PRIMARY KEY, source TEXT NOT NULL, row_key TEXT,
              reason TEXT NOT NULL, quarantined_at TEXT NOT NULL, row TEXT NOT NULL)""",
            List.of("source", "row_key", "reason", "quarantined_at", "row"), List.of("id"));

    private final Connection connection;
    private final InstantSource clock;

    private KeyStore(Connection connection, InstantSource clock) {
        this.connection = connection;
        this.clock = clock;
    }

    /**
     * Opens (or creates) {@code keys.db} in {@code dataDir}, both readable by Veil's user only, and quarantines every
     * row Veil could not have written.
     *
     * @throws ConfigException when the file is not a database or lacks a table or column Veil needs; the message
     *         names the fix
     */
    static KeyStore open(Path dataDir, InstantSource clock) {
        Path file = dataDir.resolve(FILE);
        try {
            PrivateFiles.ownDirectory(dataDir);
            PrivateFiles.database(file);
        } catch (IOException e) {
            throw new ConfigException("veil.data-dir", "cannot create " + dataDir + " or " + FILE + " in it ("
                    + e.getClass().getSimpleName() + "); check that its parent is writable by Veil's user");
        }
        Connection connection;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        } catch (SQLException e) {
            throw unreadable(file, e);
        }
        try {
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=5000");
                for (Table table : TABLES) {
                    s.execute(table.definition());
                }
                s.execute(QUARANTINE.definition());
            }
            SqliteSchema.migrate(connection, file, "veil.data-dir", List.of());
            checkColumns(connection, file);
            KeyStore store = new KeyStore(connection, clock);
            new Quarantine(connection, file, clock).sweep();
            return store;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw unreadable(file, e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** A table rebuilt without a column Veil reads is damage no row-by-row quarantine can work around. */
    private static void checkColumns(Connection connection, Path file) throws SQLException {
        List<Table> tables = new ArrayList<>(TABLES);
        tables.add(QUARANTINE);
        for (Table table : tables) {
            List<String> present = new ArrayList<>();
            try (Statement s = connection.createStatement();
                 ResultSet r = s.executeQuery("PRAGMA table_info(" + table.name() + ")")) {
                while (r.next()) {
                    present.add(r.getString("name"));
                }
            }
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

    @Override
    public synchronized void insertKey(VirtualKey key, byte[] salt, byte[] hash) {
        ensureTeam(key.tenant(), key.team());
        update("""
                INSERT INTO keys (id, name, tenant, team, labels, models, scope, expires_at, rpm, tpm, salt, hash,
                  created_at, rotated_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)""",
                key.id(), key.name(), key.tenant(), key.team(), json(key.labels()), json(key.models()), key.scope(),
                key.expiresAt().map(Instant::toString).orElse(null), key.requestsPerMinute(), key.tokensPerMinute(),
                salt, hash, key.createdAt().toString());
    }

    @Override
    public synchronized void replaceSecret(String id, byte[] salt, byte[] hash, Instant at) {
        update("UPDATE keys SET salt = ?, hash = ?, rotated_at = ? WHERE id = ?", salt, hash, at.toString(), id);
    }

    @Override
    public synchronized void revoke(String id, Instant at) {
        update("UPDATE keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at.toString(), id);
    }

    /** Every valid key row; an invalid one (written since startup by another process) or an id twice is skipped. */
    @Override
    public synchronized List<StoredKey> keys() {
        List<StoredKey> keys = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        int skipped = 0;
        try (PreparedStatement s = connection.prepareStatement("SELECT * FROM keys ORDER BY created_at, id");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    StoredKey key = StoredRows.key(r);
                    keys.add(key);
                    seen.merge(key.key().id(), 1, Integer::sum);
                } catch (StoredRows.BadRow e) {
                    skipped++;
                }
            }
        } catch (SQLException e) {
            throw failure("read keys", e);
        }
        int twice = keys.size();
        keys.removeIf(key -> seen.get(key.key().id()) > 1);
        skippedRows("keys", skipped + twice - keys.size());
        return keys;
    }

    @Override
    public synchronized void ensureTenant(String tenant) {
        update("INSERT OR IGNORE INTO tenants (name, created_at) VALUES (?, ?)", tenant, clock.instant().toString());
    }

    @Override
    public synchronized void ensureTeam(String tenant, String team) {
        ensureTenant(tenant);
        update("INSERT OR IGNORE INTO teams (tenant, name, created_at) VALUES (?, ?, ?)", tenant, team,
                clock.instant().toString());
    }

    @Override
    public synchronized List<String> tenants() {
        List<String> tenants = new ArrayList<>();
        int skipped = 0;
        try (PreparedStatement s = connection.prepareStatement("SELECT name FROM tenants ORDER BY name");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    tenants.add(StoredRows.name(r, "name"));
                } catch (StoredRows.BadRow e) {
                    skipped++;
                }
            }
        } catch (SQLException e) {
            throw failure("read tenants", e);
        }
        skippedRows("tenants", skipped);
        return tenants;
    }

    /** Teams as tenant and name pairs, by tenant then name. */
    @Override
    public synchronized List<String[]> teams() {
        List<String[]> teams = new ArrayList<>();
        int skipped = 0;
        try (PreparedStatement s = connection.prepareStatement("SELECT tenant, name FROM teams ORDER BY tenant, name");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    teams.add(new String[] {StoredRows.name(r, "tenant"), StoredRows.name(r, "name")});
                } catch (StoredRows.BadRow e) {
                    skipped++;
                }
            }
        } catch (SQLException e) {
            throw failure("read teams", e);
        }
        skippedRows("teams", skipped);
        return teams;
    }

    @Override
    public synchronized void putBudget(BudgetSpec budget) {
        BudgetScope scope = budget.scope();
        update("""
                INSERT INTO budgets (scope, kind, tenant, team, key_id, period, limit_micros, soft_micros)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope) DO UPDATE SET kind = excluded.kind,
                  tenant = excluded.tenant, team = excluded.team, key_id = excluded.key_id, period = excluded.period,
                  limit_micros = excluded.limit_micros, soft_micros = excluded.soft_micros""",
                scope.id(), scope.kind(), scope.tenant(), scope.team(), scope.keyId(), budget.period(),
                budget.limitMicros(), budget.softMicros());
    }

    @Override
    public synchronized void deleteBudget(BudgetScope scope) {
        update("DELETE FROM budgets WHERE scope = ?", scope.id());
    }

    /** Every valid budget; a row that is not is skipped. */
    @Override
    public synchronized List<BudgetSpec> budgets() {
        List<BudgetSpec> budgets = new ArrayList<>();
        int skipped = 0;
        try (PreparedStatement s = connection.prepareStatement("SELECT * FROM budgets ORDER BY scope");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    budgets.add(StoredRows.budget(r));
                } catch (StoredRows.BadRow e) {
                    skipped++;
                }
            }
        } catch (SQLException e) {
            throw failure("read budgets", e);
        }
        skippedRows("budgets", skipped);
        return budgets;
    }

    /**
     * The scope ids of budgets that could not be read: quarantined ones, and invalid rows still in the table. A
     * budget nobody can read must not become no budget at all, so their scopes are refused until set again.
     */
    @Override
    public synchronized Set<String> unreadableBudgetScopes() {
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
        try (PreparedStatement s = connection.prepareStatement("SELECT * FROM budgets");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    StoredRows.budget(r);
                } catch (StoredRows.BadRow e) {
                    if (r.getObject("scope") instanceof String scope) {
                        scopes.add(scope);
                    }
                }
            }
        } catch (SQLException e) {
            throw failure("read budgets", e);
        }
        return scopes;
    }

    /** What {@code scope} has spent from {@code from} (inclusive) on, in micro-dollars. */
    @Override
    public synchronized long spentSince(BudgetScope scope, LocalDate from) {
        String where = switch (scope.kind()) {
            case "key" -> "key_id = ?";
            case "team" -> "tenant = ? AND team = ?";
            default -> "tenant = ?";
        };
        try (PreparedStatement s = connection.prepareStatement("SELECT TOTAL(cost_micros) FROM spend "
                + "WHERE day >= ? AND " + where + " AND " + StoredRows.VALID_SPEND)) {
            s.setString(1, from.toString());
            switch (scope.kind()) {
                case "key" -> s.setString(2, scope.keyId());
                case "team" -> {
                    s.setString(2, scope.tenant());
                    s.setString(3, scope.team());
                }
                default -> s.setString(2, scope.tenant());
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? (long) Math.min(r.getDouble(1), MAX_SPENT_MICROS) : 0;
            }
        } catch (SQLException e) {
            throw failure("read spend", e);
        }
    }

    @Override
    public synchronized void addSpend(List<SpendDelta> deltas) {
        if (deltas.isEmpty()) {
            return;
        }
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement s = connection.prepareStatement("""
                    INSERT INTO spend (day, key_id, tenant, team, model, requests, prompt_tokens, completion_tokens,
                      cached_tokens, reasoning_tokens, cost_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (day, key_id, tenant, team, model) DO UPDATE SET
                      requests = requests + excluded.requests,
                      prompt_tokens = prompt_tokens + excluded.prompt_tokens,
                      completion_tokens = completion_tokens + excluded.completion_tokens,
                      cached_tokens = cached_tokens + excluded.cached_tokens,
                      reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
                      cost_micros = cost_micros + excluded.cost_micros""")) {
                for (SpendDelta d : deltas) {
                    s.setString(1, d.day().toString());
                    s.setString(2, d.keyId());
                    s.setString(3, d.tenant());
                    s.setString(4, d.team());
                    s.setString(5, d.model());
                    s.setLong(6, d.requests());
                    s.setLong(7, d.promptTokens());
                    s.setLong(8, d.completionTokens());
                    s.setLong(9, d.cachedTokens());
                    s.setLong(10, d.reasoningTokens());
                    s.setLong(11, d.costMicros());
                    s.addBatch();
                }
                s.executeBatch();
            }
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
    public synchronized List<SpendDelta> usage(UsageFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT * FROM spend WHERE " + StoredRows.VALID_SPEND);
        List<Object> args = new ArrayList<>();
        filter.tenant().ifPresent(v -> { sql.append(" AND tenant = ?"); args.add(v); });
        filter.team().ifPresent(v -> { sql.append(" AND team = ?"); args.add(v); });
        filter.keyId().ifPresent(v -> { sql.append(" AND key_id = ?"); args.add(v); });
        filter.model().ifPresent(v -> { sql.append(" AND model = ?"); args.add(v); });
        filter.from().ifPresent(v -> { sql.append(" AND day >= ?"); args.add(v.toString()); });
        filter.to().ifPresent(v -> { sql.append(" AND day <= ?"); args.add(v.toString()); });
        sql.append(" ORDER BY day, tenant, team, key_id, model");
        List<SpendDelta> rows = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(sql.toString())) {
            bind(s, args.toArray());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new SpendDelta(LocalDate.parse(r.getString("day")), r.getString("key_id"),
                            r.getString("tenant"), r.getString("team"), r.getString("model"), r.getLong("requests"),
                            r.getLong("prompt_tokens"), r.getLong("completion_tokens"), r.getLong("cached_tokens"),
                            r.getLong("reasoning_tokens"), r.getLong("cost_micros")));
                }
            }
        } catch (SQLException e) {
            throw failure("read usage", e);
        }
        return rows;
    }

    /** Records that {@code scope} was alerted for the period starting {@code periodStart}; false if it already was. */
    @Override
    public synchronized boolean markAlerted(BudgetScope scope, LocalDate periodStart) {
        return update("INSERT OR IGNORE INTO alerts (scope, period_start, sent_at) VALUES (?, ?, ?)", scope.id(),
                periodStart.toString(), clock.instant().toString()) == 1;
    }

    @Override
    public synchronized boolean alerted(BudgetScope scope, LocalDate periodStart) {
        try (PreparedStatement s = connection.prepareStatement("SELECT 1 FROM alerts WHERE scope = ? AND "
                + "period_start = ?")) {
            bind(s, scope.id(), periodStart.toString());
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw failure("read alerts", e);
        }
    }

    private int update(String sql, Object... args) {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw failure("write", e);
        }
    }

    private static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value instanceof Map<?, ?> map ? new LinkedHashMap<>(map) : value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void skippedRows(String table, int count) {
        if (count > 0) {
            LOGGER.warning(() -> "key store: skipped " + count + " rows of " + table + " that Veil could not have "
                    + "written (changed since startup by another process?); they are quarantined at the next start");
        }
    }

    /** A failure naming the operation and SQLite's error code, never the values involved. */
    private static IllegalStateException failure(String operation, Exception e) {
        int code = e instanceof SQLException sql ? sql.getErrorCode() : 0;
        return new IllegalStateException("key store: cannot " + operation + " (SQLite error " + code + ")");
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
