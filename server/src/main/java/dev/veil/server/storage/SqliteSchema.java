package dev.veil.server.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import dev.veil.server.config.ConfigException;

/**
 * The schema version of a SQLite file Veil writes, kept in SQLite's {@code user_version}. Version 1 is the base
 * schema, which each owner creates with {@code CREATE TABLE IF NOT EXISTS} on every open (a file from before
 * versioning reads as 0 and has it too); each later version is one upgrade step. A file written by a newer Veil is
 * refused rather than read with a schema this Veil does not know.
 */
public final class SqliteSchema {
    /** The version of the base schema every owner creates itself. */
    public static final int BASE = 1;

    private SqliteSchema() {
    }

    /**
     * Runs the upgrades {@code file} lacks, in one transaction, and records the version reached. {@code upgrades}
     * are SQL scripts: the first takes version 1 to 2, the next 2 to 3, and so on.
     *
     * @param key the config key that names the file, for the error message
     * @return the version the file is at now
     * @throws ConfigException when the file was written by a newer Veil
     */
    public static int migrate(Connection connection, Path file, String key, List<String> upgrades)
            throws SQLException {
        int latest = BASE + upgrades.size();
        int found = version(connection);
        if (found > latest) {
            throw new ConfigException(key, file + " has schema version " + found + ", written by a newer Veil; this "
                    + "Veil reads up to version " + latest + ": run the newer Veil, or restore a backup this version "
                    + "wrote");
        }
        int from = Math.max(found, BASE);
        if (found == latest) {
            return latest;
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (int version = from; version < latest; version++) {
                statement.executeUpdate(upgrades.get(version - BASE));
            }
            statement.executeUpdate("PRAGMA user_version = " + latest);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return latest;
    }

    /** The version {@code connection}'s file records: 0 before versioning. */
    public static int version(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("PRAGMA user_version")) {
            return row.next() ? row.getInt(1) : 0;
        }
    }
}
