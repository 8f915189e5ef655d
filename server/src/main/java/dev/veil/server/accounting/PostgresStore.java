package dev.veil.server.accounting;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.StoreConfig;
import dev.veil.server.storage.PostgresSchema;

/**
 * Accounting state in one PostgreSQL database that several Veil replicas share, through a HikariCP pool. The tables,
 * columns and queries are those of {@link KeyStore}, shared in {@link JdbcAccountingStore}, so the admin API and
 * {@code GET /admin/usage} answer the same on both; the schema comes from numbered migrations applied at startup
 * ({@link PostgresSchema}).
 *
 * <p>Each method takes one connection from the pool for its statements, in one transaction where it adds spend, so
 * that calls from several threads (and replicas) run side by side. Inserts of tenants, teams and alerts are
 * idempotent ({@code ON CONFLICT DO NOTHING}), and spend is added in the database ({@code cost = cost + delta}), so
 * replicas writing the same rows add up rather than overwrite each other.
 */
final class PostgresStore extends JdbcAccountingStore {
    /** The migrations, in order; each is a resource of {@link PostgresSchema}. */
    static final List<String> MIGRATIONS = List.of("V1__accounting.sql", "V2__spend_stream.sql",
            "V3__user_dimension.sql");
    /** The channel on which a change to keys or budgets is announced to every replica. */
    static final String CHANNEL = "veil_accounting";
    private static final String KEY = "veil.store.url";
    /** Far above any query Veil makes, even a year of usage. */
    private static final int SOCKET_TIMEOUT_SECONDS = 120;
    private static final Logger LOGGER = Logger.getLogger(PostgresStore.class.getName());
    /** Spend sums stay far below overflow, whatever the rows hold. */
    private static final BigDecimal MAX_SPENT_MICROS = BigDecimal.valueOf(1_000_000_000_000_000_000L);
    /** A spend row Veil could have written; the column types already rule out the rest. */
    private static final String VALID_SPEND = """
            (requests BETWEEN 0 AND %1$d AND prompt_tokens BETWEEN 0 AND %1$d
             AND completion_tokens BETWEEN 0 AND %1$d AND cached_tokens BETWEEN 0 AND %1$d
             AND reasoning_tokens BETWEEN 0 AND %1$d AND cost_micros BETWEEN 0 AND %1$d)"""
            .formatted(ValueBounds.MAX_MICROS);

    private final HikariDataSource pool;

    private PostgresStore(HikariDataSource pool, InstantSource clock) {
        // Bare column names in the spend upsert would be ambiguous to PostgreSQL, between the row and excluded.
        super(clock, new Dialect(VALID_SPEND, "COALESCE(SUM(cost_micros), 0)", "spend."),
                "(changed by hand or by another program?)");
        this.pool = pool;
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
    <T> T withConnection(Work<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        }
    }

    @Override
    String ignoringConflict(String insert) {
        return insert + " ON CONFLICT DO NOTHING";
    }

    @Override
    Object dayParameter(LocalDate day) {
        return day;
    }

    @Override
    LocalDate day(ResultSet r) throws SQLException {
        return r.getObject("day", LocalDate.class);
    }

    @Override
    long costTotal(ResultSet r) throws SQLException {
        return r.getBigDecimal(1).min(MAX_SPENT_MICROS).longValueExact();
    }

    @Override
    String describe(SQLException e) {
        return "PostgreSQL SQLState " + e.getSQLState();
    }

    /** None: PostgreSQL keeps no quarantine, as its column types already refuse most bad rows. */
    @Override
    Set<String> quarantinedBudgetScopes(Connection connection) {
        return new HashSet<>();
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
        inTransaction("write spend", connection -> {
            upsertSpend(connection, ordered(deltas));
            return null;
        });
    }

    /**
     * A batch of spend read from a stream after a position.
     *
     * @param lastId the position of the batch's last entry
     * @param deltas the batch's spend
     */
    record StreamBatch(String lastId, List<SpendDelta> deltas) {
    }

    /**
     * Adds the next batch of {@code stream}'s spend exactly once: in one transaction, locks the stream's recorded
     * position, asks {@code next} for the batch after it, adds its spend and records its last position. Replicas
     * moving at once queue on the lock, and a replica dying halfway rolls back, so every entry is added once.
     *
     * @return the new position, empty when there was nothing after the recorded one
     */
    Optional<String> moveStreamSpend(String stream, Function<String, Optional<StreamBatch>> next) {
        return inTransaction("move spend", connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO spend_stream (name, last_id) VALUES (?, '0-0') ON CONFLICT DO NOTHING")) {
                insert.setString(1, stream);
                insert.executeUpdate();
            }
            String last;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT last_id FROM spend_stream WHERE name = ? FOR UPDATE")) {
                select.setString(1, stream);
                try (ResultSet r = select.executeQuery()) {
                    r.next();
                    last = r.getString(1);
                }
            }
            Optional<StreamBatch> batch = next.apply(last);
            if (batch.isEmpty()) {
                return Optional.<String>empty();
            }
            upsertSpend(connection, ordered(batch.get().deltas()));
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE spend_stream SET last_id = ? WHERE name = ?")) {
                update.setString(1, batch.get().lastId());
                update.setString(2, stream);
                update.executeUpdate();
            }
            return Optional.of(batch.get().lastId());
        });
    }

    private static List<SpendDelta> ordered(List<SpendDelta> deltas) {
        List<SpendDelta> ordered = new ArrayList<>(deltas);
        ordered.sort(Comparator.comparing(SpendDelta::day).thenComparing(SpendDelta::keyId)
                .thenComparing(SpendDelta::tenant).thenComparing(SpendDelta::team).thenComparing(SpendDelta::user)
                .thenComparing(SpendDelta::model));
        return ordered;
    }

    private <T> T inTransaction(String operation, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    @Override
    public void insertKey(VirtualKey key, byte[] salt, byte[] hash) {
        super.insertKey(key, salt, hash);
        announce("keys");
    }

    @Override
    public void replaceSecret(String id, byte[] salt, byte[] hash, Instant at) {
        super.replaceSecret(id, salt, hash, at);
        announce("keys");
    }

    @Override
    public void revoke(String id, Instant at) {
        super.revoke(id, at);
        announce("keys");
    }

    @Override
    public void putBudget(BudgetSpec budget) {
        super.putBudget(budget);
        announce("budgets");
    }

    @Override
    public void deleteBudget(BudgetScope scope) {
        super.deleteBudget(scope);
        announce("budgets");
    }

    /**
     * Tells every replica listening that {@code what} changed. A lost announcement is not fatal: listeners also
     * reload on a timer, so it is logged and the change stands.
     */
    private void announce(String what) {
        try (Connection connection = pool.getConnection();
             PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, CHANNEL);
            notify.setString(2, what);
            notify.execute();
        } catch (SQLException e) {
            LOGGER.warning(() -> "the change to " + what + " is stored but could not be announced to the other "
                    + "replicas (" + describe(e) + "); they see it at their next periodic reload");
        }
    }

    /**
     * Calls {@code changed} with {@code keys} or {@code budgets} whenever any replica announces such a change, and
     * with both every {@code interval} and after a lost connection (announcements may have been missed), until the
     * returned handle is closed. One pooled connection is held for listening.
     */
    AutoCloseable listen(Consumer<String> changed, Duration interval) {
        ChangeListener listener = new ChangeListener(pool, changed, interval);
        listener.start();
        return listener;
    }

    @Override
    public void close() {
        pool.close();
    }
}
