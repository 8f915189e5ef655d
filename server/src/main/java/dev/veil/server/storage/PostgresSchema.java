package dev.veil.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.veil.server.config.ConfigException;

/**
 * The schema of a PostgreSQL database Veil writes: numbered SQL scripts ({@code V1__accounting.sql},
 * {@code V2__...}), each applied once, in order, and recorded in {@code schema_version}. Several Veil replicas may
 * start at once against the same database: the check and every script run in one transaction that first takes a
 * transaction-scoped advisory lock, so one replica applies what is missing while the others wait, then find it done.
 * A database written by a newer Veil is refused rather than used with a schema this Veil does not know.
 */
public final class PostgresSchema {
    /** The advisory lock every Veil takes to migrate; any fixed number, the same in every version. */
    static final long LOCK = 0x7665696c_00000001L;
    private static final Pattern NAME = Pattern.compile("V(\\d+)__([a-z0-9_]+)\\.sql");

    /** One numbered script. */
    public record Migration(int version, String description, String sql) {
    }

    private PostgresSchema() {
    }

    /**
     * The scripts named {@code names}, read from the resources next to this class under {@code postgres/}; they must
     * be numbered 1, 2, 3... in order.
     */
    public static List<Migration> load(List<String> names) {
        List<Migration> migrations = new ArrayList<>();
        for (String name : names) {
            Matcher m = NAME.matcher(name);
            if (!m.matches() || Integer.parseInt(m.group(1)) != migrations.size() + 1) {
                throw new IllegalArgumentException("migration " + name + " is not V" + (migrations.size() + 1)
                        + "__<description>.sql");
            }
            try (InputStream in = PostgresSchema.class.getResourceAsStream("postgres/" + name)) {
                if (in == null) {
                    throw new IllegalArgumentException("migration " + name + " is not among Veil's resources");
                }
                migrations.add(new Migration(migrations.size() + 1, m.group(2),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return migrations;
    }

    /**
     * Applies the migrations the database lacks, all in one transaction under the advisory lock, and records each.
     *
     * @param key the config key that names the database, for the error message
     * @param location where the database is (host, port, name; never credentials), for the error message
     * @return the versions applied now; empty when the database was up to date
     * @throws ConfigException when the database was written by a newer Veil
     */
    public static List<Integer> migrate(Connection connection, String key, String location,
                                        List<Migration> migrations) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        List<Integer> applied = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,
                      description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""");
            int found = version(connection).orElse(0);
            if (found > migrations.size()) {
                throw new ConfigException(key, location + " has schema version " + found + ", written by a newer "
                        + "Veil; this Veil knows up to version " + migrations.size() + ": run the newer Veil");
            }
            try (PreparedStatement record = connection.prepareStatement(
                    "INSERT INTO schema_version (version, description) VALUES (?, ?)")) {
                for (Migration migration : migrations.subList(found, migrations.size())) {
                    statement.execute(migration.sql());
                    record.setInt(1, migration.version());
                    record.setString(2, migration.description());
                    record.executeUpdate();
                    applied.add(migration.version());
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return applied;
    }

    /** The highest version recorded; empty before the first migration. */
    public static Optional<Integer> version(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT max(version) FROM schema_version")) {
            row.next();
            int version = row.getInt(1);
            return row.wasNull() ? Optional.empty() : Optional.of(version);
        }
    }
}
