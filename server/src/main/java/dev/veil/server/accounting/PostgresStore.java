package dev.veil.server.accounting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.StoreConfig;
import dev.veil.server.storage.PostgresSchema;

/**
 * Accounting state in one PostgreSQL database that several Veil replicas share, through a HikariCP pool. The tables,
 * columns and queries are those of {@link KeyStore}, so the admin API and {@code GET /admin/usage} answer the same on
 * both; the schema comes from numbered migrations applied at startup ({@link PostgresSchema}).
 *
 * <p>Each method takes a connection from the pool for one statement, or one transaction where it writes several rows,
 * so that calls from several threads (and replicas) run side by side. Inserts of tenants, teams and alerts are
 * idempotent ({@code ON CONFLICT DO NOTHING}), and spend is added in the database ({@code cost = cost + delta}), so
 * replicas writing the same rows add up rather than overwrite each other.
 */
final class PostgresStore implements AccountingStore {
    /** The migrations, in order; each is a resource of {@link PostgresSchema}. */
    static final List<String> MIGRATIONS = List.of("V1__accounting.sql");
    private static final String KEY = "veil.store.url";
    /** Far above any query Veil makes, even a year of usage. */
    private static final int SOCKET_TIMEOUT_SECONDS = 120;
    private static final Logger LOGGER = Logger.getLogger(PostgresStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Spend sums stay far below overflow, whatever the rows hold. */
    private static final BigDecimal MAX_SPENT_MICROS = BigDecimal.valueOf(1_000_000_000_000_000_000L);
    /** A spend row Veil could have written; the column types already rule out the rest. */
    private static final String VALID_SPEND = """
            (requests BETWEEN 0 AND %1$d AND prompt_tokens BETWEEN 0 AND %1$d
             AND completion_tokens BETWEEN 0 AND %1$d AND cached_tokens BETWEEN 0 AND %1$d
             AND reasoning_tokens BETWEEN 0 AND %1$d AND cost_micros BETWEEN 0 AND %1$d)"""
            .formatted(ValueBounds.MAX_MICROS);

    private final HikariDataSource pool;
    private final InstantSource clock;

    private PostgresStore(HikariDataSource pool, InstantSource clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /**
     * Connects, applies the migrations the database lacks and returns the store.
     *
     * @throws ConfigException when the database cannot be reached, refuses the credentials or was written by a newer
     *         Veil; the message names the key and the database's location, never a credential
     */
    static PostgresStore open(StoreConfig.Postgres config, InstantSource clock) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("veil-store");
        hikari.setJdbcUrl(config.url());
        hikari.setUsername(config.username());
        config.password().ifPresent(password -> hikari.setPassword(password.reveal()));
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(Math.min(2, config.poolSize()));
        hikari.setConnectionTimeout(config.connectTimeout().toMillis());
        // One attempt at startup: a database that is down or refuses Veil stops startup now, with a clear message.
        hikari.setInitializationFailTimeout(1);
        hikari.addDataSourceProperty("ApplicationName", "veil");
        hikari.addDataSourceProperty("connectTimeout", Math.max(1, config.connectTimeout().toSeconds()));
        // A connection cut without a reset (a failed-over database, a dropped NAT entry) must not hang the spend
        // writer, and GET /admin/usage behind it, for ever.
        hikari.addDataSourceProperty("socketTimeout", SOCKET_TIMEOUT_SECONDS);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (HikariPool.PoolInitializationException e) {
            throw unreachable(config, e.getCause());
        }
        try (Connection connection = pool.getConnection()) {
            List<Integer> applied = PostgresSchema.migrate(connection, KEY, config.location(),
                    PostgresSchema.load(MIGRATIONS));
            if (!applied.isEmpty()) {
                LOGGER.info(() -> "key store: applied schema migrations " + applied + " to PostgreSQL at "
                        + config.location());
            }
            return new PostgresStore(pool, clock);
        } catch (SQLException e) {
            pool.close();
            throw new ConfigException(KEY, "cannot prepare the schema of PostgreSQL at " + config.location()
                    + " (SQLState " + e.getSQLState() + "); check that veil.store.username may create tables in "
                    + "the database");
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static ConfigException unreachable(StoreConfig.Postgres config, Throwable cause) {
        String state = cause instanceof SQLException sql && sql.getSQLState() != null ? sql.getSQLState() : "";
        if (state.startsWith("28")) {
            return new ConfigException("veil.store", "PostgreSQL at " + config.location() + " refused the login "
                    + "(SQLState " + state + "); check veil.store.username and veil.store.password, and that the "
                    + "server's pg_hba.conf admits Veil's address");
        }
        if (state.equals("3D000")) {
            return new ConfigException(KEY, "PostgreSQL at " + config.location() + " has no such database "
                    + "(SQLState 3D000); create it (createdb) or fix the name");
        }
        return new ConfigException(KEY, "cannot connect to PostgreSQL at " + config.location()
                + (state.isEmpty() ? "" : " (SQLState " + state + ")") + " within "
                + config.connectTimeout().toMillis() + "ms; check that it runs and accepts connections from Veil");
    }

    @Override
    public void insertKey(VirtualKey key, byte[] salt, byte[] hash) {
        ensureTeam(key.tenant(), key.team());
        update("""
                INSERT INTO keys (id, name, tenant, team, labels, models, scope, expires_at, rpm, tpm, salt, hash,
                  created_at, rotated_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)""",
                key.id(), key.name(), key.tenant(), key.team(), json(key.labels()), json(key.models()), key.scope(),
                key.expiresAt().map(Instant::toString).orElse(null), key.requestsPerMinute(), key.tokensPerMinute(),
                salt, hash, key.createdAt().toString());
    }

    @Override
    public void replaceSecret(String id, byte[] salt, byte[] hash, Instant at) {
        update("UPDATE keys SET salt = ?, hash = ?, rotated_at = ? WHERE id = ?", salt, hash, at.toString(), id);
    }

    @Override
    public void revoke(String id, Instant at) {
        update("UPDATE keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at.toString(), id);
    }

    @Override
    public List<StoredKey> keys() {
        List<StoredKey> keys = new ArrayList<>();
        int skipped = 0;
        try (Connection connection = pool.getConnection();
             PreparedStatement s = connection.prepareStatement("SELECT * FROM keys ORDER BY created_at, id");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    keys.add(StoredRows.key(r));
                } catch (StoredRows.BadRow e) {
                    skipped++;
                }
            }
        } catch (SQLException e) {
            throw failure("read keys", e);
        }
        skippedRows("keys", skipped);
        return keys;
    }

    @Override
    public void ensureTenant(String tenant) {
        update("INSERT INTO tenants (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING", tenant,
                clock.instant().toString());
    }

    @Override
    public void ensureTeam(String tenant, String team) {
        ensureTenant(tenant);
        update("INSERT INTO teams (tenant, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", tenant, team,
                clock.instant().toString());
    }

    @Override
    public List<String> tenants() {
        List<String> tenants = new ArrayList<>();
        int skipped = 0;
        try (Connection connection = pool.getConnection();
             PreparedStatement s = connection.prepareStatement("SELECT name FROM tenants ORDER BY name");
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

    @Override
    public List<String[]> teams() {
        List<String[]> teams = new ArrayList<>();
        int skipped = 0;
        try (Connection connection = pool.getConnection();
             PreparedStatement s = connection.prepareStatement("SELECT tenant, name FROM teams ORDER BY tenant, name");
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
    public void putBudget(BudgetSpec budget) {
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
    public void deleteBudget(BudgetScope scope) {
        update("DELETE FROM budgets WHERE scope = ?", scope.id());
    }

    @Override
    public List<BudgetSpec> budgets() {
        List<BudgetSpec> budgets = new ArrayList<>();
        int skipped = 0;
        try (Connection connection = pool.getConnection();
             PreparedStatement s = connection.prepareStatement("SELECT * FROM budgets ORDER BY scope");
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

    /** Invalid budget rows; PostgreSQL keeps no quarantine, as its column types already refuse most bad rows. */
    @Override
    public Set<String> unreadableBudgetScopes() {
        Set<String> scopes = new HashSet<>();
        try (Connection connection = pool.getConnection();
             PreparedStatement s = connection.prepareStatement("SELECT * FROM budgets");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    StoredRows.budget(r);
                } catch (StoredRows.BadRow e) {
                    scopes.add(r.getString("scope"));
                }
            }
        } catch (SQLException e) {
            throw failure("read budgets", e);
        }
        return scopes;
    }

    @Override
    public long spentSince(BudgetScope scope, LocalDate from) {
        String where = switch (scope.kind()) {
            case "key" -> "key_id = ?";
            case "team" -> "tenant = ? AND team = ?";
            default -> "tenant = ?";
        };
        try (Connection connection = pool.getConnection();
             PreparedStatement s = connection.prepareStatement("SELECT COALESCE(SUM(cost_micros), 0) FROM spend "
                     + "WHERE day >= ? AND " + where + " AND " + VALID_SPEND)) {
            s.setObject(1, from);
            switch (scope.kind()) {
                case "key" -> s.setString(2, scope.keyId());
                case "team" -> {
                    s.setString(2, scope.tenant());
                    s.setString(3, scope.team());
                }
                default -> s.setString(2, scope.tenant());
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getBigDecimal(1).min(MAX_SPENT_MICROS).longValueExact() : 0;
            }
        } catch (SQLException e) {
            throw failure("read spend", e);
        }
    }

    /**
     * Adds the deltas in one transaction, in primary-key order, so that replicas flushing the same rows at once take
     * their row locks in the same order and never deadlock.
     */
    @Override
    public void addSpend(List<SpendDelta> deltas) {
        if (deltas.isEmpty()) {
            return;
        }
        List<SpendDelta> ordered = new ArrayList<>(deltas);
        ordered.sort(Comparator.comparing(SpendDelta::day).thenComparing(SpendDelta::keyId)
                .thenComparing(SpendDelta::tenant).thenComparing(SpendDelta::team).thenComparing(SpendDelta::model));
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement s = connection.prepareStatement("""
                    INSERT INTO spend (day, key_id, tenant, team, model, requests, prompt_tokens, completion_tokens,
                      cached_tokens, reasoning_tokens, cost_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (day, key_id, tenant, team, model) DO UPDATE SET
                      requests = spend.requests + excluded.requests,
                      prompt_tokens = spend.prompt_tokens + excluded.prompt_tokens,
                      completion_tokens = spend.completion_tokens + excluded.completion_tokens,
                      cached_tokens = spend.cached_tokens + excluded.cached_tokens,
                      reasoning_tokens = spend.reasoning_tokens + excluded.reasoning_tokens,
                      cost_micros = spend.cost_micros + excluded.cost_micros""")) {
                for (SpendDelta d : ordered) {
                    s.setObject(1, d.day());
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
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("write spend", e);
        }
    }

    @Override
    public List<SpendDelta> usage(UsageFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT * FROM spend WHERE " + VALID_SPEND);
        List<Object> args = new ArrayList<>();
        filter.tenant().ifPresent(v -> { sql.append(" AND tenant = ?"); args.add(v); });
        filter.team().ifPresent(v -> { sql.append(" AND team = ?"); args.add(v); });
        filter.keyId().ifPresent(v -> { sql.append(" AND key_id = ?"); args.add(v); });
        filter.model().ifPresent(v -> { sql.append(" AND model = ?"); args.add(v); });
        filter.from().ifPresent(v -> { sql.append(" AND day >= ?"); args.add(v); });
        filter.to().ifPresent(v -> { sql.append(" AND day <= ?"); args.add(v); });
        sql.append(" ORDER BY day, tenant, team, key_id, model");
        List<SpendDelta> rows = new ArrayList<>();
        try (Connection connection = pool.getConnection();
             PreparedStatement s = connection.prepareStatement(sql.toString())) {
            bind(s, args.toArray());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new SpendDelta(r.getObject("day", LocalDate.class), r.getString("key_id"),
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

    /** Exactly one replica wins for a scope and period: the one whose insert PostgreSQL keeps. */
    @Override
    public boolean markAlerted(BudgetScope scope, LocalDate periodStart) {
        return update("INSERT INTO alerts (scope, period_start, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                scope.id(), periodStart, clock.instant().toString()) == 1;
    }

    @Override
    public boolean alerted(BudgetScope scope, LocalDate periodStart) {
        try (Connection connection = pool.getConnection();
             PreparedStatement s = connection.prepareStatement("SELECT 1 FROM alerts WHERE scope = ? AND "
                     + "period_start = ?")) {
            bind(s, scope.id(), periodStart);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw failure("read alerts", e);
        }
    }

    private int update(String sql, Object... args) {
        try (Connection connection = pool.getConnection();
             PreparedStatement s = connection.prepareStatement(sql)) {
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
                    + "written (changed by hand or by another program?)");
        }
    }

    /** A failure naming the operation and PostgreSQL's SQLState, never the values involved. */
    private static IllegalStateException failure(String operation, SQLException e) {
        return new IllegalStateException("key store: cannot " + operation + " (PostgreSQL SQLState "
                + e.getSQLState() + ")");
    }

    @Override
    public void close() {
        pool.close();
    }
}
