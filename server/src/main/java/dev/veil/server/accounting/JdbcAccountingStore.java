package dev.veil.server.accounting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The reads and writes {@link KeyStore} (SQLite) and {@link PostgresStore} (PostgreSQL) share: the same tables,
 * columns and queries, so that the admin API answers the same on both. What differs between the two databases is
 * left to small hooks: how a connection is had and given back, how a day is bound and read, the dialect's SQL where
 * it differs, and how a failure and a skipped row are described.
 */
abstract class JdbcAccountingStore implements AccountingStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Work on a connection of the store. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * The SQL text where the databases differ.
     *
     * @param validSpend true for a spend row Veil could have written
     * @param costTotal the sum of {@code cost_micros} over the rows matched, zero when there are none
     * @param storedSpend how the spend upsert qualifies the stored row's columns, as in {@code <this>cost_micros}
     */
    record Dialect(String validSpend, String costTotal, String storedSpend) {
    }

    private final Logger logger = Logger.getLogger(getClass().getName());
    private final InstantSource clock;
    private final Dialect dialect;
    private final String skippedRowsNote;

    /** {@code skippedRowsNote} says how a skipped row came to be there and what becomes of it, ending the warning. */
    JdbcAccountingStore(InstantSource clock, Dialect dialect, String skippedRowsNote) {
        this.clock = clock;
        this.dialect = dialect;
        this.skippedRowsNote = skippedRowsNote;
    }

    /**
     * Runs {@code work} on a connection, and gives it back after; each method here runs in one such call, so that the
     * SQLite store's lock, or the pool's connection, is held for the whole method.
     */
    abstract <T> T withConnection(Work<T> work) throws SQLException;

    /** {@code insert} made to do nothing where its row exists. */
    abstract String ignoringConflict(String insert);

    /** A day as the database's {@code day} and {@code period_start} columns take it. */
    abstract Object dayParameter(LocalDate day);

    /** The {@code day} column of the current row. */
    abstract LocalDate day(ResultSet r) throws SQLException;

    /** The sum {@link Dialect#costTotal()} selected as the first column of {@code r}, capped far below overflow. */
    abstract long costTotal(ResultSet r) throws SQLException;

    /** The database's description of a failure: its error code or SQLState, never the values involved. */
    abstract String describe(SQLException e);

    /**
     * The scope ids of budgets moved out of the {@code budgets} table as unreadable; the caller adds the invalid rows
     * still in it.
     */
    abstract Set<String> quarantinedBudgetScopes(Connection connection);

    @Override
    public void insertKey(VirtualKey key, byte[] salt, byte[] hash) {
        run("write", c -> {
            ensureTeam(c, key.tenant(), key.team());
            return update(c, """
                    INSERT INTO keys (id, name, tenant, team, labels, models, scope, expires_at, rpm, tpm, salt, hash,
                      created_at, rotated_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)""",
                    key.id(), key.name(), key.tenant(), key.team(), json(key.labels()), json(key.models()),
                    key.scope(), key.expiresAt().map(Instant::toString).orElse(null), key.requestsPerMinute(),
                    key.tokensPerMinute(), salt, hash, key.createdAt().toString());
        });
    }

    @Override
    public void replaceSecret(String id, byte[] salt, byte[] hash, Instant at) {
        update("UPDATE keys SET salt = ?, hash = ?, rotated_at = ? WHERE id = ?", salt, hash, at.toString(), id);
    }

    @Override
    public void revoke(String id, Instant at) {
        update("UPDATE keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at.toString(), id);
    }

    /** Every valid key row; an invalid one, or an id stored twice, is skipped. */
    @Override
    public List<StoredKey> keys() {
        List<StoredKey> keys = new ArrayList<>();
        int skipped = read("keys", "SELECT * FROM keys ORDER BY created_at, id", r -> keys.add(StoredRows.key(r)));
        Map<String, Integer> seen = new HashMap<>();
        keys.forEach(key -> seen.merge(key.key().id(), 1, Integer::sum));
        int valid = keys.size();
        keys.removeIf(key -> seen.get(key.key().id()) > 1);
        skippedRows("keys", skipped + valid - keys.size());
        return keys;
    }

    @Override
    public void ensureTenant(String tenant) {
        run("write", c -> ensureTenant(c, tenant));
    }

    @Override
    public void ensureTeam(String tenant, String team) {
        run("write", c -> ensureTeam(c, tenant, team));
    }

    private int ensureTenant(Connection c, String tenant) throws SQLException {
        return update(c, ignoringConflict("INSERT INTO tenants (name, created_at) VALUES (?, ?)"), tenant,
                clock.instant().toString());
    }

    private int ensureTeam(Connection c, String tenant, String team) throws SQLException {
        ensureTenant(c, tenant);
        return update(c, ignoringConflict("INSERT INTO teams (tenant, name, created_at) VALUES (?, ?, ?)"), tenant,
                team, clock.instant().toString());
    }

    @Override
    public List<String> tenants() {
        List<String> tenants = new ArrayList<>();
        skippedRows("tenants", read("tenants", "SELECT name FROM tenants ORDER BY name",
                r -> tenants.add(StoredRows.name(r, "name"))));
        return tenants;
    }

    @Override
    public List<String[]> teams() {
        List<String[]> teams = new ArrayList<>();
        skippedRows("teams", read("teams", "SELECT tenant, name FROM teams ORDER BY tenant, name",
                r -> teams.add(new String[] {StoredRows.name(r, "tenant"), StoredRows.name(r, "name")})));
        return teams;
    }

    @Override
    public void putBudget(BudgetSpec budget) {
        BudgetScope scope = budget.scope();
        update("""
                INSERT INTO budgets (scope, kind, tenant, team, key_id, user_id, period, limit_micros, soft_micros)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope) DO UPDATE SET kind = excluded.kind,
                  tenant = excluded.tenant, team = excluded.team, key_id = excluded.key_id,
                  user_id = excluded.user_id, period = excluded.period, limit_micros = excluded.limit_micros,
                  soft_micros = excluded.soft_micros""",
                scope.id(), scope.kind(), scope.tenant(), scope.team(), scope.keyId(), scope.user(), budget.period(),
                budget.limitMicros(), budget.softMicros());
    }

    @Override
    public void deleteBudget(BudgetScope scope) {
        update("DELETE FROM budgets WHERE scope = ?", scope.id());
    }

    @Override
    public List<BudgetSpec> budgets() {
        List<BudgetSpec> budgets = new ArrayList<>();
        skippedRows("budgets", read("budgets", "SELECT * FROM budgets ORDER BY scope",
                r -> budgets.add(StoredRows.budget(r))));
        return budgets;
    }

    @Override
    public Set<String> unreadableBudgetScopes() {
        return run("read budgets", c -> {
            Set<String> scopes = quarantinedBudgetScopes(c);
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM budgets");
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
            }
            return scopes;
        });
    }

    @Override
    public long spentSince(BudgetScope scope, LocalDate from) {
        String where = switch (scope.kind()) {
            case "key" -> "key_id = ?";
            case "team" -> "tenant = ? AND team = ?";
            case "user" -> "tenant = ? AND user_id = ?";
            default -> "tenant = ?";
        };
        return run("read spend", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + dialect.costTotal() + " FROM spend "
                    + "WHERE day >= ? AND " + where + " AND " + dialect.validSpend())) {
                s.setObject(1, dayParameter(from));
                switch (scope.kind()) {
                    case "key" -> s.setString(2, scope.keyId());
                    case "team" -> {
                        s.setString(2, scope.tenant());
                        s.setString(3, scope.team());
                    }
                    case "user" -> {
                        s.setString(2, scope.tenant());
                        s.setString(3, scope.user());
                    }
                    default -> s.setString(2, scope.tenant());
                }
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? costTotal(r) : 0;
                }
            }
        });
    }

    /**
     * Adds each of {@code deltas} to its spend row, or inserts the row, on {@code connection}; the caller holds the
     * transaction, as the two databases settle a failed one differently.
     */
    final void upsertSpend(Connection connection, List<SpendDelta> deltas) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("""
                INSERT INTO spend (day, key_id, tenant, team, user_id, model, requests, prompt_tokens,
                  completion_tokens, cached_tokens, reasoning_tokens, cost_micros)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (day, key_id, tenant, team, user_id, model) DO UPDATE SET
                  requests = %1$srequests + excluded.requests,
                  prompt_tokens = %1$sprompt_tokens + excluded.prompt_tokens,
                  completion_tokens = %1$scompletion_tokens + excluded.completion_tokens,
                  cached_tokens = %1$scached_tokens + excluded.cached_tokens,
                  reasoning_tokens = %1$sreasoning_tokens + excluded.reasoning_tokens,
                  cost_micros = %1$scost_micros + excluded.cost_micros""".formatted(dialect.storedSpend()))) {
            for (SpendDelta d : deltas) {
                s.setObject(1, dayParameter(d.day()));
                s.setString(2, d.keyId());
                s.setString(3, d.tenant());
                s.setString(4, d.team());
                s.setString(5, d.user());
                s.setString(6, d.model());
                s.setLong(7, d.requests());
                s.setLong(8, d.promptTokens());
                s.setLong(9, d.completionTokens());
                s.setLong(10, d.cachedTokens());
                s.setLong(11, d.reasoningTokens());
                s.setLong(12, d.costMicros());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    @Override
    public List<SpendDelta> usage(UsageFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT * FROM spend WHERE " + dialect.validSpend());
        List<Object> args = new ArrayList<>();
        filter.tenant().ifPresent(v -> { sql.append(" AND tenant = ?"); args.add(v); });
        filter.team().ifPresent(v -> { sql.append(" AND team = ?"); args.add(v); });
        filter.keyId().ifPresent(v -> { sql.append(" AND key_id = ?"); args.add(v); });
        filter.user().ifPresent(v -> { sql.append(" AND user_id = ?"); args.add(v); });
        filter.model().ifPresent(v -> { sql.append(" AND model = ?"); args.add(v); });
        filter.from().ifPresent(v -> { sql.append(" AND day >= ?"); args.add(dayParameter(v)); });
        filter.to().ifPresent(v -> { sql.append(" AND day <= ?"); args.add(dayParameter(v)); });
        sql.append(" ORDER BY day, tenant, team, key_id, user_id, model");
        return run("read usage", c -> {
            List<SpendDelta> rows = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                bind(s, args.toArray());
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        rows.add(new SpendDelta(day(r), r.getString("key_id"), r.getString("tenant"),
                                r.getString("team"), r.getString("user_id"), r.getString("model"),
                                r.getLong("requests"), r.getLong("prompt_tokens"), r.getLong("completion_tokens"),
                                r.getLong("cached_tokens"), r.getLong("reasoning_tokens"), r.getLong("cost_micros")));
                    }
                }
            }
            return rows;
        });
    }

    /** Records that {@code scope} was alerted for the period; of replicas racing, only one insert is kept. */
    @Override
    public boolean markAlerted(BudgetScope scope, LocalDate periodStart) {
        return update(ignoringConflict("INSERT INTO alerts (scope, period_start, sent_at) VALUES (?, ?, ?)"),
                scope.id(), dayParameter(periodStart), clock.instant().toString()) == 1;
    }

    @Override
    public boolean alerted(BudgetScope scope, LocalDate periodStart) {
        return run("read alerts", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM alerts WHERE scope = ? AND "
                    + "period_start = ?")) {
                bind(s, scope.id(), dayParameter(periodStart));
                try (ResultSet r = s.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    /** Reads one row into the caller's result. */
    @FunctionalInterface
    private interface RowReader {
        void read(ResultSet r) throws SQLException, StoredRows.BadRow;
    }

    /** Runs {@code query} on {@code table}, reading each row; returns how many rows were skipped as bad. */
    private int read(String table, String query, RowReader reader) {
        return run("read " + table, c -> {
            int skipped = 0;
            try (PreparedStatement s = c.prepareStatement(query);
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    try {
                        reader.read(r);
                    } catch (StoredRows.BadRow e) {
                        skipped++;
                    }
                }
            }
            return skipped;
        });
    }

    /** Runs {@code work} on a connection; a failure names {@code operation}. */
    private <T> T run(String operation, Work<T> work) {
        try {
            return withConnection(work);
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    private int update(String sql, Object... args) {
        return run("write", c -> update(c, sql, args));
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
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

    private void skippedRows(String table, int count) {
        if (count > 0) {
            logger.warning(() -> "key store: skipped " + count + " rows of " + table + " that Veil could not have "
                    + "written " + skippedRowsNote);
        }
    }

    /** A failure naming the operation and the database's description of it, never the values involved. */
    final IllegalStateException failure(String operation, SQLException e) {
        return new IllegalStateException("key store: cannot " + operation + " (" + describe(e) + ")");
    }
}
