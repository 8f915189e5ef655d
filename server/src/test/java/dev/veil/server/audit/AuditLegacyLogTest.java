package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.storage.SqliteSchema;
import dev.veil.server.testing.FakeClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log written before records carried a node id ({@link LegacyAuditLog}) still verifies, exports, and takes new
 * records with a node id, and its old records cannot be given one unnoticed.
 */
class AuditLegacyLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path log;
    private Path key;
    private String yaml;

    @BeforeEach
    void restoreTheOldLog() throws Exception {
        log = dir.resolve("legacy.db");
        key = dir.resolve("audit-key");
        LegacyAuditLog.restore(log, key);
        yaml = """
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  data-dir: "%s"
                  providers: {veil: {kind: echo}}
                  audit: {key-file: "%s", file: "%s"}
                """.formatted(dir, key, log);
    }

    @Test
    void theOldLogVerifies() {
        Run verify = cli("verify");

        assertThat(verify.status).as(verify.out).isZero();
        assertThat(verify.out).contains("node id: none (written before node ids); 3 records from before node ids",
                "OK: 3 records, last seq 3, last signed checkpoint at seq 3");
    }

    @Test
    void theOldLogExportsItsRecordsWithoutANodeId() throws Exception {
        Run export = cli("export");

        List<Map<String, Object>> lines = lines(export.out);
        assertThat(lines).extracting(line -> record(line).get("request_id"))
                .containsExactly("legacy-1", "legacy-2", "legacy-3");
        assertThat(lines).extracting(line -> line.get("node_id")).containsOnlyNulls();
    }

    @Test
    void aNewVeilAppendsRecordsWithItsNodeIdAndTheWholeChainVerifies() throws Exception {
        FakeClock clock = new FakeClock();
        clock.advance(Duration.ofSeconds(10));
        try (AuditLog upgraded = AuditLog.open(AuditFixtures.config(log, key, "veil-0"), clock)) {
            upgraded.record(AuditFixtures.event("new-4"));
            upgraded.record(AuditFixtures.event("new-5"));
        }

        Run verify = cli("verify", log.toString());
        Run export = cli("export");

        assertThat(verify.status).as(verify.out).isZero();
        assertThat(verify.out).contains("node id: veil-0; 3 records from before node ids (the log states node "
                + "veil-0)", "OK: 5 records");
        assertThat(lines(export.out)).extracting(line -> line.get("node_id"))
                .containsExactly("veil-0", "veil-0", "veil-0", "veil-0", "veil-0");
        try (Connection db = jdbc()) {
            assertThat(SqliteSchema.version(db)).isEqualTo(3);
        }
    }

    @Test
    void anOldRecordGivenANodeIdFailsVerification() throws Exception {
        try (AuditLog upgraded = AuditLog.open(AuditFixtures.config(log, key, "veil-0"), new FakeClock())) {
            upgraded.record(AuditFixtures.event("new-4"));
        }
        try (Connection db = jdbc(); Statement statement = db.createStatement()) {
            statement.executeUpdate("UPDATE records SET node_id = 'veil-0' WHERE seq = 2");
        }

        Run verify = cli("verify");

        assertThat(verify.status).isEqualTo(1);
        assertThat(verify.out).contains("FAILED at seq 2: hash does not match");
    }

    private record Run(int status, String out, String err) {
    }

    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new AuditCli(file -> ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<Map<String, Object>> lines(String out) throws Exception {
        return out.lines().map(line -> {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> parsed = JSON.readValue(line, Map.class);
                return parsed;
            } catch (IOException e) {
                throw new AssertionError(line, e);
            }
        }).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> record(Map<String, Object> line) {
        return (Map<String, Object>) line.get("record");
    }

    private Connection jdbc() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + log);
    }
}
