package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import dev.veil.server.config.AuditConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way of tampering with a real audit database file, opened with plain JDBC, and what verify reports. */
class AuditTamperTest {
    @TempDir
    Path dir;

    private AuditConfig config;

    @BeforeEach
    void writeTenRecordsWithACheckpointEveryFour() throws Exception {
        config = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"), false, 4);
        try (AuditLog log = AuditLog.open(config)) {
            for (int i = 1; i <= 10; i++) {
                log.record(AuditFixtures.event("req-" + i));
            }
        }
    }

    @Test
    void anUntouchedLogVerifies() {
        AuditVerifier.Result result = verify();

        assertThat(result.ok()).isTrue();
        assertThat(result.records()).isEqualTo(10);
        assertThat(result.lastCheckpoint()).isEqualTo(10);
    }

    @Test
    void anEditedCiphertextByteIsNamed() throws Exception {
        try (Connection connection = jdbc()) {
            byte[] ciphertext = select(connection, "SELECT ciphertext FROM records WHERE seq = 5");
            ciphertext[3] ^= 0x01;
            update(connection, "UPDATE records SET ciphertext = ? WHERE seq = 5", ciphertext);
        }

        assertThat(verify().firstBadSeq()).hasValue(5L);
    }

    @Test
    void anEditWithRecomputedHashesIsStillCaughtByAuthentication() throws Exception {
        try (Connection connection = jdbc()) {
            byte[] ciphertext = select(connection, "SELECT ciphertext FROM records WHERE seq = 5");
            ciphertext[0] ^= 0x01;
            update(connection, "UPDATE records SET ciphertext = ? WHERE seq = 5", ciphertext);
            rechain(connection);
        }

        AuditVerifier.Result result = verify();
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadSeq()).hasValue(5L);
    }

    @Test
    void aDeletedRowIsNamed() throws Exception {
        try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM records WHERE seq = 3");
        }

        AuditVerifier.Result result = verify();
        assertThat(result.firstBadSeq()).hasValue(3L);
        assertThat(result.problem()).hasValueSatisfying(problem -> assertThat(problem).contains("missing"));
    }

    @Test
    void swappedRowsAreNamedAtTheFirstOfThem() throws Exception {
        try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE records SET seq = -1 WHERE seq = 6");
            statement.executeUpdate("UPDATE records SET seq = 6 WHERE seq = 7");
            statement.executeUpdate("UPDATE records SET seq = 7 WHERE seq = -1");
        }

        assertThat(verify().firstBadSeq()).hasValue(6L);
    }

    @Test
    void anInsertedRowIsNamed() throws Exception {
        try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE records SET seq = seq + 1000 WHERE seq >= 4");
            statement.executeUpdate("UPDATE records SET seq = seq - 999 WHERE seq >= 1004");
            statement.executeUpdate("INSERT INTO records (seq, created_ms, epoch, nonce, ciphertext, prev_hash, hash) "
                    + "SELECT 4, created_ms, epoch, nonce, ciphertext, hash, hash FROM records WHERE seq = 3");
        }

        assertThat(verify().firstBadSeq()).hasValue(4L);
    }

    @Test
    void aTailTruncatedBehindACheckpointIsDetected() throws Exception {
        try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM records WHERE seq > 6");
        }

        AuditVerifier.Result result = verify();
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadSeq()).hasValue(7L);
        assertThat(result.problem()).hasValueSatisfying(problem -> assertThat(problem).contains("truncated"));
    }

    @Test
    void aTailTruncatedBackToTheLastCheckpointIsDetectedThroughTheLatestCheckpoint() throws Exception {
        try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM records WHERE seq > 8");
        }

        AuditVerifier.Result result = verify();
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadSeq()).hasValue(9L);
    }

    @Test
    void recordsAfterTheLastCheckpointAreReportedUnsigned() throws Exception {
        try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM checkpoints WHERE seq = 10");
        }

        AuditVerifier.Result result = verify();
        assertThat(result.ok()).isTrue();
        assertThat(result.lastCheckpoint()).isEqualTo(8);
        assertThat(result.unsigned()).isEqualTo(2);
    }

    @Test
    void aForgedCheckpointSignatureIsNamed() throws Exception {
        try (Connection connection = jdbc()) {
            byte[] signature = select(connection, "SELECT signature FROM checkpoints WHERE seq = 4");
            signature[10] ^= 0x01;
            update(connection, "UPDATE checkpoints SET signature = ? WHERE seq = 4", signature);
        }

        assertThat(verify().firstBadSeq()).hasValue(4L);
    }

    private AuditVerifier.Result verify() {
        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            return new AuditVerifier(database).verify(1);
        }
    }

    private Connection jdbc() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + config.database());
    }

    private static byte[] select(Connection connection, String sql) throws Exception {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getBytes(1);
        }
    }

    private static void update(Connection connection, String sql, byte[] value) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setBytes(1, value);
            statement.executeUpdate();
        }
    }

    /** What an attacker without the key can do: recompute every hash after an edit. */
    private static void rechain(Connection connection) throws Exception {
        byte[] previous = AuditChain.GENESIS;
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT seq, created_ms, epoch, nonce, ciphertext, node_id "
                     + "FROM records ORDER BY seq");
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE records SET prev_hash = ?, hash = ? WHERE seq = ?")) {
            java.util.List<Object[]> rows = new java.util.ArrayList<>();
            while (row.next()) {
                rows.add(new Object[] {row.getLong(1), row.getLong(2), row.getLong(3), row.getBytes(4),
                        row.getBytes(5), row.getString(6)});
            }
            for (Object[] r : rows) {
                byte[] hash = AuditChain.hash(previous, AuditChain.associatedOfRow((long) r[0], (long) r[1],
                        (long) r[2], (String) r[5]), (byte[]) r[3], (byte[]) r[4]);
                update.setBytes(1, previous);
                update.setBytes(2, hash);
                update.setLong(3, (long) r[0]);
                update.executeUpdate();
                previous = hash;
            }
        }
    }
}
