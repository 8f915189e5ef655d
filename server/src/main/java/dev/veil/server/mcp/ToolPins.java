package dev.veil.server.mcp;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import dev.veil.server.config.ConfigException;
import dev.veil.server.storage.PrivateFiles;
import dev.veil.server.storage.SqliteSchema;

/**
 * The approved definition hash of each tool, kept in {@code mcp-tools.db} in the data directory: written when a tool
 * is first seen or an admin approves a new definition, read from memory on every call.
 */
final class ToolPins implements AutoCloseable {
    static final String FILE = "mcp-tools.db";

    private final Optional<Connection> connection;
    private final Map<Key, Pin> pins = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();

    record Key(String server, String tool) {
    }

    /**
     * An approved definition.
     *
     * @param hash its {@code sha256:} hash
     * @param approvedAt when
     * @param approvedBy {@code first-seen}, or the key id of the admin who approved it
     */
    record Pin(String server, String tool, String hash, Instant approvedAt, String approvedBy) {
    }

    private ToolPins(Optional<Connection> connection) {
        this.connection = connection;
    }

    /** Pins kept in memory only: for a gateway without upstream servers. */
    static ToolPins inMemory() {
        return new ToolPins(Optional.empty());
    }

    static ToolPins open(Path dataDir) {
        Path file = PrivateFiles.databaseIn(dataDir, FILE);
        Connection connection;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        } catch (SQLException e) {
            throw unreadable(file, e);
        }
        try {
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("CREATE TABLE IF NOT EXISTS tool_pins (server TEXT NOT NULL, tool TEXT NOT NULL, "
                        + "hash TEXT NOT NULL, approved_at INTEGER NOT NULL, approved_by TEXT NOT NULL, "
                        + "PRIMARY KEY (server, tool))");
            }
            SqliteSchema.migrate(connection, file, "veil.data-dir", List.of());
            ToolPins store = new ToolPins(Optional.of(connection));
            try (Statement s = connection.createStatement();
                 ResultSet rows = s.executeQuery("SELECT server, tool, hash, approved_at, approved_by FROM "
                         + "tool_pins")) {
                while (rows.next()) {
                    Pin pin = new Pin(rows.getString(1), rows.getString(2), rows.getString(3),
                            Instant.ofEpochMilli(rows.getLong(4)), rows.getString(5));
                    store.pins.put(new Key(pin.server(), pin.tool()), pin);
                }
            }
            return store;
        } catch (SQLException e) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Failing to open already.
            }
            throw unreadable(file, e);
        }
    }

    private static ConfigException unreadable(Path file, SQLException e) {
        return new ConfigException("veil.data-dir", file + " cannot be read as Veil's MCP tool approvals (SQLite "
                + "error " + e.getErrorCode() + "); restore it from a backup, or move it away to approve every tool "
                + "again as first seen");
    }

    Optional<Pin> pin(String server, String tool) {
        return Optional.ofNullable(pins.get(new Key(server, tool)));
    }

    List<Pin> all() {
        return pins.values().stream().sorted((a, b) -> a.server().equals(b.server())
                ? a.tool().compareTo(b.tool()) : a.server().compareTo(b.server())).toList();
    }

    /**
     * Approves {@code hash} for the tool, unless {@code expected} is given and another hash is approved meanwhile.
     *
     * @return the pin replaced, if any
     */
    Optional<Pin> approve(Pin pin) {
        lock.lock();
        try {
            Optional<Pin> before = pin(pin.server(), pin.tool());
            if (connection.isPresent()) {
                try (PreparedStatement s = connection.get().prepareStatement("INSERT INTO tool_pins (server, tool, "
                        + "hash, approved_at, approved_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (server, tool) DO "
                        + "UPDATE SET hash = excluded.hash, approved_at = excluded.approved_at, "
                        + "approved_by = excluded.approved_by")) {
                    s.setString(1, pin.server());
                    s.setString(2, pin.tool());
                    s.setString(3, pin.hash());
                    s.setLong(4, pin.approvedAt().toEpochMilli());
                    s.setString(5, pin.approvedBy());
                    s.executeUpdate();
                } catch (SQLException e) {
                    throw new McpError(McpError.INTERNAL_ERROR, 500, "The tool approval could not be stored "
                            + "(SQLite error " + e.getErrorCode() + ")");
                }
            }
            pins.put(new Key(pin.server(), pin.tool()), pin);
            return before;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (connection.isPresent()) {
                connection.get().close();
            }
        } catch (SQLException ignored) {
            // Every write was committed when it was made.
        } finally {
            lock.unlock();
        }
    }
}
