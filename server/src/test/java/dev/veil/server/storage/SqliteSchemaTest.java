package dev.veil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.config.ConfigException;

class SqliteSchemaTest {
    @TempDir
    Path dir;

    private Path file;
    private Connection connection;

    @BeforeEach
    void open() throws SQLException {
        file = dir.resolve("store.db");
        connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY)");
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
    }

    @Test
    void aFileFromBeforeVersioningIsStampedWithTheBaseVersion() throws SQLException {
        assertThat(SqliteSchema.version(connection)).isZero();

        assertThat(SqliteSchema.migrate(connection, file, "veil.data-dir", List.of())).isEqualTo(SqliteSchema.BASE);
        assertThat(SqliteSchema.version(connection)).isEqualTo(SqliteSchema.BASE);
    }

    @Test
    void upgradesRunInOrderOnceEach() throws SQLException {
        List<String> upgrades = List.of("ALTER TABLE items ADD COLUMN name TEXT",
                "CREATE TABLE labels (item INTEGER NOT NULL, label TEXT NOT NULL)");

        SqliteSchema.migrate(connection, file, "veil.data-dir", upgrades.subList(0, 1));
        int reached = SqliteSchema.migrate(connection, file, "veil.data-dir", upgrades);
        SqliteSchema.migrate(connection, file, "veil.data-dir", upgrades);

        assertThat(reached).isEqualTo(3);
        assertThat(SqliteSchema.version(connection)).isEqualTo(3);
        execute("INSERT INTO items (id, name) VALUES (1, 'a')");
        execute("INSERT INTO labels (item, label) VALUES (1, 'x')");
    }

    @Test
    void aFailedUpgradeLeavesTheFileAtItsVersion() throws SQLException {
        assertThatThrownBy(() -> SqliteSchema.migrate(connection, file, "veil.data-dir",
                List.of("ALTER TABLE items ADD COLUMN name TEXT", "ALTER TABLE missing ADD COLUMN x TEXT")))
                .isInstanceOf(SQLException.class);

        assertThat(SqliteSchema.version(connection)).isZero();
        assertThat(columns()).containsExactly("id");
    }

    @Test
    void aFileWrittenByANewerVeilIsRefusedNamingTheKey() throws SQLException {
        execute("PRAGMA user_version = 7");

        assertThatThrownBy(() -> SqliteSchema.migrate(connection, file, "veil.data-dir", List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.data-dir")
                .hasMessageContaining("schema version 7")
                .hasMessageContaining("reads up to version 1");
    }

    private void execute(String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }

    private List<String> columns() throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("PRAGMA table_info(items)")) {
            List<String> names = new ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString("name"));
            }
            return names;
        }
    }
}
