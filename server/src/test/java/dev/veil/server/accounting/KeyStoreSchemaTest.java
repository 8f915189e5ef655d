package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.config.ConfigException;
import dev.veil.server.storage.SqliteSchema;

class KeyStoreSchemaTest {
    @TempDir
    Path dataDir;

    @Test
    void aNewKeysFileRecordsItsSchemaVersion() throws SQLException {
        KeyStore.open(dataDir, InstantSource.system()).close();

        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(KeyStore.FILE))) {
            assertThat(SqliteSchema.version(connection)).isEqualTo(SqliteSchema.BASE);
        }
    }

    @Test
    void aKeysFileFromANewerVeilIsRefused() throws SQLException {
        KeyStore.open(dataDir, InstantSource.system()).close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(KeyStore.FILE));
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("PRAGMA user_version = 2");
        }

        assertThatThrownBy(() -> KeyStore.open(dataDir, InstantSource.system())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.data-dir").hasMessageContaining("newer Veil");
    }
}
