package dev.veil.server.accounting;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * At startup, moves every row of {@code keys.db} that Veil could not have written (a value of the wrong type, out of
 * range, unparsable, NULL, a key id stored twice) into the {@code quarantine} table, in one transaction per batch:
 * the row verbatim as JSON, its table, its key, why, and when. The row is evidence, so it is kept, not deleted; out of
 * its table, nothing reads it again, so it cannot stop a later start. Each is logged once, by table, key and failing
 * column, never with a value. What it means: a quarantined key is refused (as if revoked); a quarantined budget
 * refuses the requests in its scope until an administrator sets it again; quarantined spend no longer counts.
 */
final class Quarantine {
    private static final Logger LOGGER = Logger.getLogger(Quarantine.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 1000;
    private static final int LOGGED_ROWS = 20;
    private static final Pattern SCOPE = Pattern.compile("key:[0-9a-f]{16}|(team:[A-Za-z0-9][A-Za-z0-9._-]{0,63}/"
            + "|tenant:)[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Checks one row: null when Veil could have written it, else what is wrong (a bad row may also throw). */
    @FunctionalInterface
    private interface Check {
        String problem(ResultSet row) throws SQLException, StoredRows.BadRow;
    }

    private record Move(long rowid, String rowKey, String logKey, String reason, String row) {
    }

    private final Connection connection;
    private final Path file;
    private final InstantSource clock;

    Quarantine(Connection connection, Path file, InstantSource clock) {
        this.connection = connection;
        this.file = file;
        this.clock = clock;
    }

    /**
     * Sweeps every table, then rebuilds any whose definition is no longer Veil's (rebuilt without its constraints,
     * say), after quarantining the rows that share a primary key. A table that cannot be swept or rebuilt is logged
     * and left as it is: reads skip bad rows anyway.
     *
     * @param upgraded the tables an upgrade of the schema just changed in place, which are rebuilt as Veil now
     *                 defines them without a warning
     */
    void sweep(Set<String> upgraded) {
        Set<String> duplicated = duplicatedKeyIds();
        sweep("keys", "SELECT rowid AS veil_rowid, * FROM keys", row -> {
            AccountingStore.StoredKey key = StoredRows.key(row);
            return duplicated.contains(key.key().id()) ? "id is stored in more than one row" : null;
        });
        sweep("budgets", "SELECT rowid AS veil_rowid, * FROM budgets", row -> {
            StoredRows.budget(row);
            return null;
        });
        sweep("spend", "SELECT rowid AS veil_rowid, * FROM spend WHERE NOT " + StoredRows.VALID_SPEND,
                row -> "holds a value of the wrong type or out of range (day a date, numbers 0 to "
                        + ValueBounds.MAX_MICROS + ")");
        sweep("tenants", "SELECT rowid AS veil_rowid, * FROM tenants", row -> {
            StoredRows.name(row, "name");
            StoredRows.text(row, "created_at");
            return null;
        });
        sweep("teams", "SELECT rowid AS veil_rowid, * FROM teams", row -> {
            StoredRows.name(row, "tenant");
            StoredRows.name(row, "name");
            StoredRows.text(row, "created_at");
            return null;
        });
        sweep("alerts", "SELECT rowid AS veil_rowid, * FROM alerts", row -> {
            StoredRows.text(row, "scope");
            StoredRows.text(row, "period_start");
            StoredRows.text(row, "sent_at");
            return null;
        });
        for (KeyStore.Table table : KeyStore.TABLES) {
            if (!definedByVeil(table)) {
                sweep(table.name(), "SELECT rowid AS veil_rowid, * FROM " + table.name() + " WHERE ("
                        + String.join(", ", table.key()) + ") IN (SELECT " + String.join(", ", table.key())
                        + " FROM " + table.name() + " GROUP BY " + String.join(", ", table.key())
                        + " HAVING COUNT(*) > 1)", row -> "its primary key (" + String.join(", ", table.key())
                        + ") is stored in more than one row");
                rebuild(table, upgraded.contains(table.name()));
            }
        }
        summary();
    }

    /** Whether {@code table} is still as Veil created it (its stored SQL, with whitespace and case aside). */
    private boolean definedByVeil(KeyStore.Table table) {
        try (PreparedStatement s = connection.prepareStatement("SELECT sql FROM sqlite_master WHERE type = 'table' "
                + "AND name = ?")) {
            s.setString(1, table.name());
            try (ResultSet r = s.executeQuery()) {
                return r.next() && normal(r.getString(1)).equals(normal(table.definition()
                        .replace("IF NOT EXISTS ", "")));
            }
        } catch (SQLException e) {
            return true;
        }
    }

    private static String normal(String sql) {
        return sql == null ? "" : sql.replaceAll("\\s+", " ").replace("( ", "(").strip().toLowerCase(Locale.ROOT);
    }

    /** Recreates {@code table} with Veil's definition and its rows, in one transaction. */
    private void rebuild(KeyStore.Table table, boolean upgraded) {
        String columns = String.join(", ", table.columns());
        try {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.execute("ALTER TABLE " + table.name() + " RENAME TO veil_rebuilt");
                s.execute(table.definition());
                s.execute("INSERT INTO " + table.name() + " (" + columns + ") SELECT " + columns
                        + " FROM veil_rebuilt");
                s.execute("DROP TABLE veil_rebuilt");
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            if (upgraded) {
                LOGGER.info(() -> file.getFileName() + ": table " + table.name() + " rebuilt with its rows for the "
                        + "current schema");
            } else {
                LOGGER.warning(() -> file.getFileName() + ": table " + table.name() + " was not as Veil defines it "
                        + "(its keys or constraints were changed); rebuilt it as Veil defines it, with its rows");
            }
        } catch (SQLException e) {
            LOGGER.log(Level.SEVERE, () -> file + ": table " + table.name() + " is not as Veil defines it and cannot "
                    + "be rebuilt (SQLite error " + e.getErrorCode() + "); writes to it may fail: restore the file "
                    + "from a backup");
        }
    }

    private Set<String> duplicatedKeyIds() {
        Set<String> ids = new HashSet<>();
        try (Statement s = connection.createStatement();
             ResultSet r = s.executeQuery("SELECT id FROM keys WHERE typeof(id) = 'text' GROUP BY id "
                     + "HAVING COUNT(*) > 1")) {
            while (r.next()) {
                ids.add(r.getString(1));
            }
        } catch (SQLException e) {
            LOGGER.warning(() -> file + ": cannot look for key ids stored twice (SQLite error " + e.getErrorCode()
                    + ")");
        }
        return ids;
    }

    private void sweep(String table, String select, Check check) {
        String consequence = switch (table) {
            case "keys" -> "the key is refused until it is created again";
            case "budgets" -> "requests in its scope are refused until the budget is set again (POST /admin/budgets)";
            case "spend" -> "its amounts no longer count towards budgets or usage";
            case "alerts" -> "its budget may be alerted again this period";
            default -> "it is no longer listed";
        };
        int moved = 0;
        try {
            while (true) {
                List<Move> moves = scan(select, table, check);
                move(table, moves);
                for (Move move : moves) {
                    if (moved++ < LOGGED_ROWS) {
                        LOGGER.warning(() -> file.getFileName() + ": quarantined a row of " + table + " ("
                                + move.logKey() + "): " + move.reason() + "; " + consequence
                                + " (see docs/keys.md, Damaged rows)");
                    }
                }
                if (moves.size() < BATCH) {
                    break;
                }
            }
        } catch (SQLException e) {
            LOGGER.log(Level.SEVERE, () -> file + ": cannot quarantine the bad rows of table " + table + " (SQLite "
                    + "error " + e.getErrorCode() + "); they stay where they are and are skipped when read");
        }
        if (moved > LOGGED_ROWS) {
            int total = moved;
            LOGGER.warning(() -> file.getFileName() + ": quarantined " + total + " rows of " + table + " in all, "
                    + "the first " + LOGGED_ROWS + " logged above; " + consequence);
        }
    }

    private List<Move> scan(String select, String table, Check check) throws SQLException {
        List<Move> moves = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet row = s.executeQuery(select)) {
            while (moves.size() < BATCH && row.next()) {
                String problem;
                try {
                    problem = check.problem(row);
                } catch (StoredRows.BadRow e) {
                    problem = e.getMessage();
                }
                if (problem != null) {
                    moves.add(new Move(row.getLong("veil_rowid"), rowKey(table, row), logKey(table, row), problem,
                            json(row)));
                }
            }
        }
        return moves;
    }

    private void move(String table, List<Move> moves) throws SQLException {
        if (moves.isEmpty()) {
            return;
        }
        String now = clock.instant().toString();
        connection.setAutoCommit(false);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO quarantine (source, row_key, reason, "
                + "quarantined_at, row) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE rowid = ?")) {
            for (Move move : moves) {
                insert.setString(1, table);
                insert.setString(2, move.rowKey());
                insert.setString(3, move.reason());
                insert.setString(4, now);
                insert.setString(5, move.row());
                insert.addBatch();
                delete.setLong(1, move.rowid());
                delete.addBatch();
            }
            insert.executeBatch();
            delete.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            // Copied but not deleted, a row would be quarantined twice; all of the batch or none of it.
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** Every start says how many rows wait in quarantine, so that damage is not forgotten after one log line. */
    private void summary() {
        try (Statement s = connection.createStatement();
             ResultSet r = s.executeQuery("SELECT source, COUNT(*) FROM quarantine GROUP BY source ORDER BY source")) {
            StringBuilder counts = new StringBuilder();
            while (r.next()) {
                counts.append(counts.isEmpty() ? "" : ", ").append(r.getLong(2)).append(' ')
                        .append(safe(r.getString(1)));
            }
            if (!counts.isEmpty()) {
                LOGGER.warning(() -> file + " holds quarantined rows (" + counts + "): read them with sqlite3 "
                        + file + " 'SELECT * FROM quarantine' (see docs/keys.md, Damaged rows)");
            }
        } catch (SQLException e) {
            LOGGER.warning(() -> file + ": cannot count the quarantined rows (SQLite error " + e.getErrorCode() + ")");
        }
    }

    /** The row's primary key as stored (text only), for finding it again; budgets are blocked by it. */
    private static String rowKey(String table, ResultSet row) throws SQLException {
        return switch (table) {
            case "keys" -> text(row, "id");
            case "budgets" -> text(row, "scope");
            case "tenants" -> text(row, "name");
            default -> null;
        };
    }

    /** How the log names the row: only values that match what Veil writes, so a hostile row cannot forge a line. */
    private static String logKey(String table, ResultSet row) throws SQLException {
        return switch (table) {
            case "keys" -> {
                String id = text(row, "id");
                yield id != null && ValueBounds.KEY_ID.matcher(id).matches() ? "key " + id : "an unreadable key id";
            }
            case "budgets" -> {
                String scope = text(row, "scope");
                yield scope != null && SCOPE.matcher(scope).matches() ? "budget " + scope : "an unreadable scope";
            }
            case "spend" -> {
                String day = text(row, "day");
                String key = text(row, "key_id");
                boolean readable = key != null && (key.equals("master") || key.equals("jwt")
                        || ValueBounds.KEY_ID.matcher(key).matches());
                yield "spend of " + (readable ? "key " + key : "an unreadable key") + " on " + (isDay(day) ? day
                        : "an unreadable day");
            }
            case "tenants" -> "tenant " + safe(text(row, "name"));
            case "teams" -> "team " + safe(text(row, "tenant")) + "/" + safe(text(row, "name"));
            default -> {
                String scope = text(row, "scope");
                yield "alert of " + (scope != null && SCOPE.matcher(scope).matches() ? scope : "an unreadable scope");
            }
        };
    }

    private static boolean isDay(String day) {
        if (day == null) {
            return false;
        }
        try {
            LocalDate.parse(day);
            return day.length() == 10;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String safe(String name) {
        return name != null && ValueBounds.NAME.matcher(name).matches() ? name : "(unreadable)";
    }

    private static String text(ResultSet row, String column) throws SQLException {
        return row.getObject(column) instanceof String text ? text : null;
    }

    /** The row verbatim: numbers as numbers, text as strings, blobs as hex, NaN and infinities as strings. */
    private static String json(ResultSet row) throws SQLException {
        ObjectNode out = JSON.createObjectNode();
        ResultSetMetaData meta = row.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            String column = meta.getColumnLabel(i);
            if (column.equals("veil_rowid")) {
                continue;
            }
            Object value = row.getObject(i);
            if (value == null) {
                out.putNull(column);
            } else if (value instanceof Integer || value instanceof Long) {
                out.put(column, ((Number) value).longValue());
            } else if (value instanceof Double real) {
                if (Double.isFinite(real)) {
                    out.put(column, real);
                } else {
                    out.put(column, real.toString());
                }
            } else if (value instanceof byte[] bytes) {
                out.putObject(column).put("blob_hex", HexFormat.of().formatHex(bytes));
            } else {
                out.put(column, value.toString());
            }
        }
        return out.toString();
    }
}
