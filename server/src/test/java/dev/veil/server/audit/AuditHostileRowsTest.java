package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigException;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile rows written into {@code audit.db} with plain JDBC while Veil is stopped. Rows are evidence, so Veil never
 * changes or removes them: behind the chain's head they do not stop it from starting and serving (verify names them);
 * bookkeeping it can rebuild (the data-key epoch) is rebuilt; a head it cannot chain new records to, or a key check it
 * cannot read, stops the start with a message that names the file and the fix.
 */
class AuditHostileRowsTest {
    private static final String CHAT = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    /** Rows as a log before node ids held them (node_id NULL): hostile either way. */
    private static final String INSERT_RECORD = "INSERT INTO records (seq, created_ms, epoch, nonce, ciphertext, "
            + "prev_hash, hash) VALUES ";

    @TempDir
    Path dir;
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private AuditConfig config;
    private String yaml;

    @BeforeEach
    void writeTwoRecords() throws Exception {
        Path key = AuditFixtures.newKeyFile(dir, "audit-key");
        config = AuditFixtures.config(dir.resolve("audit.db"), key, false, 1000);
        upstream = new FakeOpenAiUpstream();
        yaml = VeilUnderTest.config(upstream, "  audit: {key-file: \"" + key + "\", file: \"" + config.database()
                + "\"}\n  data-dir: \"" + dir + "\"\n");
        veil = VeilUnderTest.start(yaml);
        assertThat(veil.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
        assertThat(veil.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
        veil.close();
        veil = null;
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    static Stream<Arguments> hostileEpochs() {
        return Stream.of(
                Arguments.of("epoch", "garbage".getBytes()),
                Arguments.of("epoch", "99999999999999999999".getBytes()),
                Arguments.of("epoch", "9223372036854775807".getBytes()),
                Arguments.of("epoch", "-5".getBytes()),
                Arguments.of("epoch", new byte[0]),
                Arguments.of("epoch_started_ms", "yesterday".getBytes()),
                Arguments.of("epoch_started_ms", "9223372036854775807".getBytes()),
                Arguments.of("epoch_started_ms", "-1".getBytes()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileEpochs")
    void aHostileEpochIsRebuiltAndVeilServes(String key, byte[] value) throws Exception {
        try (Connection db = auditDb();
             PreparedStatement update = db.prepareStatement("UPDATE meta SET value = ? WHERE key = ?")) {
            update.setBytes(1, value);
            update.setString(2, key);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }

        veil = VeilUnderTest.start(yaml);

        assertThat(veil.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
        veil.close();
        veil = null;
        assertThat(verify().ok()).isTrue();
        assertThat(verify().records()).isEqualTo(3);
    }

    @Test
    void aNullEpochIsRebuiltAndVeilServes() throws Exception {
        try (Connection db = auditDb()) {
            loosenMeta(db);
            execute(db, "UPDATE meta SET value = NULL WHERE key IN ('epoch', 'epoch_started_ms')");
        }

        veil = VeilUnderTest.start(yaml);

        assertThat(veil.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
    }

    @Test
    void hostileRowsBehindTheHeadLetVeilServeAndVerifyNamesTheFirst() throws Exception {
        try (Connection db = auditDb()) {
            execute(db, INSERT_RECORD + "(-7, 'yesterday', 9.9e300, x'', 'text', x'01', x'02')");
            execute(db, INSERT_RECORD + "(5, 9223372036854775807, -1, x'00', x'00', randomblob(32), randomblob(32))");
            execute(db, "INSERT INTO checkpoints VALUES (4, 9223372036854775807, 'x', x'')");
            execute(db, "INSERT INTO checkpoints VALUES (99999999, -1, randomblob(32), randomblob(64))");
        }

        veil = VeilUnderTest.start(yaml);

        assertThat(veil.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
        veil.close();
        veil = null;
        AuditVerifier.Result result = verify();
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadSeq()).hasValue(-7L);
    }

    @Test
    void aWellFormedHeadFarAheadIsChainedToAndReportedAsAGap() throws Exception {
        try (Connection db = auditDb()) {
            execute(db, INSERT_RECORD + "(1000000, 1, 0, randomblob(12), randomblob(40), randomblob(32), "
                    + "randomblob(32))");
        }

        veil = VeilUnderTest.start(yaml);

        assertThat(veil.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
        veil.close();
        veil = null;
        assertThat(verify().problem()).hasValueSatisfying(problem -> assertThat(problem).contains("missing"));
        assertThat(verify().firstBadSeq()).hasValue(3L);
    }

    static Stream<Arguments> unchainableHeads() {
        return Stream.of(
                Arguments.of("a 3-byte hash", "UPDATE records SET hash = x'010203' WHERE seq = 2"),
                Arguments.of("a text hash", "UPDATE records SET hash = 'hash' WHERE seq = 2"),
                Arguments.of("the last possible seq", INSERT_RECORD + "(9223372036854775807, 1, 0, randomblob(12), "
                        + "randomblob(40), randomblob(32), randomblob(32))"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unchainableHeads")
    void aHeadNewRecordsCannotBeChainedToStopsTheStartNamingTheFix(String name, String sql) throws Exception {
        try (Connection db = auditDb()) {
            execute(db, sql);
        }

        assertThatThrownBy(() -> veil = VeilUnderTest.start(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.audit.file")
                .hasMessageContaining(config.database().toString())
                .hasMessageContaining("veil audit verify")
                .hasMessageContaining("move it away");
    }

    @Test
    void aNullHeadHashStopsTheStartNamingTheFix() throws Exception {
        try (Connection db = auditDb()) {
            execute(db, "CREATE TABLE loose (seq INTEGER PRIMARY KEY, created_ms, epoch, nonce, ciphertext, "
                    + "prev_hash, hash, node_id)");
            execute(db, "INSERT INTO loose SELECT * FROM records");
            execute(db, "DROP TABLE records");
            execute(db, "ALTER TABLE loose RENAME TO records");
            execute(db, "UPDATE records SET hash = NULL WHERE seq = 2");
        }

        assertThatThrownBy(() -> veil = VeilUnderTest.start(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil audit verify");
    }

    @Test
    void aDamagedKeyCheckStopsTheStartNamingTheFix() throws Exception {
        try (Connection db = auditDb()) {
            execute(db, "UPDATE meta SET value = 'garbage' WHERE key = 'key_check'");
        }

        assertThatThrownBy(() -> veil = VeilUnderTest.start(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key_check")
                .hasMessageContaining("damaged")
                .hasMessageContaining("move it away");
    }

    @Test
    void aNullKeyCheckStopsTheStartNamingTheFix() throws Exception {
        try (Connection db = auditDb()) {
            loosenMeta(db);
            execute(db, "UPDATE meta SET value = NULL WHERE key = 'key_check'");
        }

        assertThatThrownBy(() -> veil = VeilUnderTest.start(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key_check");
    }

    private AuditVerifier.Result verify() {
        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            return new AuditVerifier(database).verify(1);
        }
    }

    private Connection auditDb() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + config.database());
    }

    private static void loosenMeta(Connection db) throws SQLException {
        execute(db, "CREATE TABLE loose (key TEXT PRIMARY KEY, value)");
        execute(db, "INSERT INTO loose SELECT * FROM meta");
        execute(db, "DROP TABLE meta");
        execute(db, "ALTER TABLE loose RENAME TO meta");
    }

    private static void execute(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute(sql);
        }
    }
}
