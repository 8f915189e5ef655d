package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three replicas' audit logs, each a real SQLite file written by its own {@link AuditLog} under its own node id, read
 * through the CLI entry point with one config's key, as a security team reads them.
 */
class AuditReplicasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private Path key;
    private Path veil0;
    private Path veil1;
    private Path veil2;
    private String yaml;

    @BeforeEach
    void writeThreeReplicasLogs() throws Exception {
        key = AuditFixtures.newKeyFile(dir, "audit-key");
        veil0 = dir.resolve("veil-0.db");
        veil1 = dir.resolve("veil-1.db");
        veil2 = dir.resolve("veil-2.db");
        yaml = """
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  data-dir: "%s"
                  providers: {veil: {kind: echo}}
                  audit: {key-file: "%s"}
                """.formatted(dir, key);
        try (AuditLog first = AuditLog.open(AuditFixtures.config(veil0, key, "veil-0"), clock);
             AuditLog second = AuditLog.open(AuditFixtures.config(veil1, key, "veil-1"), clock);
             AuditLog third = AuditLog.open(AuditFixtures.config(veil2, key, "veil-2"), clock)) {
            // Round robin, a second apart: by time the records alternate between the replicas.
            for (int round = 1; round <= 2; round++) {
                for (AuditLog log : List.of(first, second, third)) {
                    log.record(AuditFixtures.event((log == first ? "a" : log == second ? "b" : "c") + round));
                    clock.advance(Duration.ofSeconds(1));
                }
            }
        }
    }

    @Test
    void everyRecordNamesItsNodeInTheFileAndTheLogStatesIt() throws Exception {
        try (Connection db = jdbc(veil1); Statement statement = db.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT DISTINCT node_id FROM records")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("veil-1");
                assertThat(rows.next()).isFalse();
            }
            try (ResultSet meta = statement.executeQuery("SELECT value FROM meta WHERE key = 'node_id'")) {
                assertThat(meta.next()).isTrue();
                assertThat(new String(meta.getBytes(1), StandardCharsets.UTF_8)).isEqualTo("veil-1");
            }
        }
    }

    @Test
    void verifyOfSeveralLogsReportsEachChain() {
        Run run = cli("verify", veil0.toString(), veil1.toString(), veil2.toString());

        assertThat(run.status).isZero();
        assertThat(section(run.out, veil0)).contains("node id: veil-0", "OK: 2 records",
                "made from " + FakeClock.START + " to " + FakeClock.START.plusSeconds(3));
        assertThat(section(run.out, veil1)).contains("node id: veil-1", "OK: 2 records",
                "made from " + FakeClock.START.plusSeconds(1) + " to " + FakeClock.START.plusSeconds(4));
        assertThat(section(run.out, veil2)).contains("node id: veil-2", "OK: 2 records");
        assertThat(run.out).contains("all 3 logs verified").doesNotContain("WARNING");
    }

    @Test
    void aTamperedChainIsReportedBrokenAndTheOthersIntact() throws Exception {
        try (Connection db = jdbc(veil1); Statement statement = db.createStatement()) {
            statement.executeUpdate("UPDATE records SET created_ms = created_ms + 1 WHERE seq = 2");
        }

        Run run = cli("verify", veil0.toString(), veil1.toString(), veil2.toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(section(run.out, veil0)).contains("OK: 2 records");
        assertThat(section(run.out, veil1)).contains("node id: veil-1", "FAILED at seq 2",
                "records intact before it: 1, made from " + FakeClock.START.plusSeconds(1) + " to "
                        + FakeClock.START.plusSeconds(1));
        assertThat(section(run.out, veil2)).contains("OK: 2 records");
        assertThat(run.out).contains("2 of 3 logs verified; FAILED: " + veil1);
    }

    @ParameterizedTest(name = "node id set to {0}")
    @ValueSource(strings = {"'veil-0'", "NULL"})
    void aRecordsNodeIdCannotBeChangedOrRemovedUnnoticed(String nodeId) throws Exception {
        try (Connection db = jdbc(veil1); Statement statement = db.createStatement()) {
            statement.executeUpdate("UPDATE records SET node_id = " + nodeId + " WHERE seq = 2");
        }

        Run run = cli("verify", veil1.toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(run.out).contains("FAILED at seq 2: hash does not match");
    }

    @Test
    void aLogThatCannotBeReadIsReportedWithTheOthersChecked() throws Exception {
        Path missing = dir.resolve("veil-9.db");

        Run run = cli("verify", veil0.toString(), missing.toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(section(run.out, veil0)).contains("OK: 2 records");
        assertThat(section(run.out, missing)).contains("FAILED: the file does not exist");
    }

    @Test
    void exportOfSeveralLogsInterleavesTheirRecordsByTimeNamingEachNode() throws Exception {
        Run run = cli("export", veil2.toString(), veil0.toString(), veil1.toString());

        assertThat(run.status).isZero();
        List<Map<String, Object>> lines = lines(run.out);
        assertThat(lines).extracting(line -> record(line).get("request_id"))
                .containsExactly("a1", "b1", "c1", "a2", "b2", "c2");
        assertThat(lines).extracting(line -> line.get("node_id"))
                .containsExactly("veil-0", "veil-1", "veil-2", "veil-0", "veil-1", "veil-2");
        assertThat(lines).extracting(line -> line.get("seq")).containsExactly(1, 1, 1, 2, 2, 2);
        assertThat(run.err).contains("exported 6 records from 3 logs");
    }

    @Test
    void recordsOfTheSameMillisecondAreExportedByNodeIdThenSequence() throws Exception {
        Path east = dir.resolve("east.db");
        Path west = dir.resolve("west.db");
        FakeClock stopped = new FakeClock();
        try (AuditLog b = AuditLog.open(AuditFixtures.config(west, key, "node-b"), stopped);
             AuditLog a = AuditLog.open(AuditFixtures.config(east, key, "node-a"), stopped)) {
            b.record(AuditFixtures.event("b1"));
            b.record(AuditFixtures.event("b2"));
            a.record(AuditFixtures.event("a1"));
            a.record(AuditFixtures.event("a2"));
        }

        Run run = cli("export", west.toString(), east.toString());

        assertThat(lines(run.out)).extracting(line -> record(line).get("request_id"))
                .containsExactly("a1", "a2", "b1", "b2");
    }

    @Test
    void exportKeepsItsSequenceRangeInEachLog() throws Exception {
        Run run = cli("export", veil0.toString(), veil1.toString(), "--from", "2", "--to", "2");

        assertThat(lines(run.out)).extracting(line -> record(line).get("request_id")).containsExactly("a2", "b2");
    }

    @Test
    void twoLogsOfTheSameNodeAreAWarningForVerifyAndRefusedByExport() throws Exception {
        Path copy = dir.resolve("veil-0-copy.db");
        Files.copy(veil0, copy);

        Run verify = cli("verify", veil0.toString(), copy.toString());
        Run export = cli("export", veil0.toString(), copy.toString());

        assertThat(verify.status).isZero();
        assertThat(verify.out).contains("WARNING: " + veil0 + " and " + copy + " are both node veil-0",
                "give each replica its own veil.node-id");
        assertThat(export.status).isEqualTo(2);
        assertThat(export.out).isEmpty();
        assertThat(export.err).contains(veil0 + " and " + copy + " are both node veil-0",
                "export them one at a time");
    }

    @Test
    void aReplicaRenamedKeepsEachRecordsNodeAndTheLogStatesTheNewOne() throws Exception {
        try (AuditLog renamed = AuditLog.open(AuditFixtures.config(veil0, key, "veil-0b"), clock)) {
            renamed.record(AuditFixtures.event("a3"));
        }

        Run verify = cli("verify", veil0.toString());
        Run export = cli("export", veil0.toString());

        assertThat(verify.status).isZero();
        assertThat(verify.out).contains("node ids: veil-0, veil-0b", "OK: 3 records");
        assertThat(lines(export.out)).extracting(line -> line.get("node_id"))
                .containsExactly("veil-0", "veil-0", "veil-0b");
    }

    @Test
    void replicasNamedByTheirHostNameVariableEachWriteTheirOwnChain() throws Exception {
        List<Path> logs = new ArrayList<>();
        try (FakeOpenAiUpstream upstream = new FakeOpenAiUpstream()) {
            for (String pod : List.of("veil-7d9f-abcde", "veil-7d9f-fghij")) {
                Path log = dir.resolve(pod + ".db");
                logs.add(log);
                String config = VeilUnderTest.config(upstream, "  audit: {key-file: \"" + key + "\", file: \""
                        + log + "\"}\n  data-dir: \"" + dir + "\"\n");
                try (VeilUnderTest veil = VeilUnderTest.start(config, Map.of("HOSTNAME", pod))) {
                    assertThat(veil.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
                }
            }
        }

        Run run = cli("verify", logs.get(0).toString(), logs.get(1).toString());

        assertThat(run.status).isZero();
        assertThat(section(run.out, logs.get(0))).contains("node id: veil-7d9f-abcde", "OK: 1 records");
        assertThat(section(run.out, logs.get(1))).contains("node id: veil-7d9f-fghij", "OK: 1 records");
    }

    static List<String> badNodeIds() {
        return List.of("\"veil 0\"", "\"\"", "veil/0", "pod-é", "v".repeat(65));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNodeIds")
    void aBadNodeIdStopsTheStartNamingTheKeyAndTheFix(String nodeId) throws Exception {
        try (FakeOpenAiUpstream upstream = new FakeOpenAiUpstream()) {
            String config = VeilUnderTest.config(upstream, "  node-id: " + nodeId + "\n");

            assertThatThrownBy(() -> VeilUnderTest.start(config).close()).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("veil.node-id: must be 1 to 64 characters of A-Z, a-z, 0-9")
                    .hasMessageContaining("give each replica its own");
        }
    }

    @Test
    void aBadNodeIdIsAConfigErrorOfTheCli() {
        yaml = yaml + "  node-id: \"veil 0\"\n";

        Run run = cli("verify", veil0.toString());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err).contains("veil: config error: veil.node-id: must be");
    }

    private record Run(int status, String out, String err) {
    }

    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String config = yaml;
        int status = new AuditCli(file -> ConfigLoader.fromYaml(config, Map.<String, String>of()::get),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** What verify printed about one log: from its "audit log:" line to the blank line after it. */
    private static String section(String out, Path log) {
        int start = out.indexOf("audit log: " + log + "\n");
        assertThat(start).as("a section for " + log + " in:\n" + out).isNotNegative();
        int end = out.indexOf("\n\n", start);
        return out.substring(start, end < 0 ? out.length() : end);
    }

    private static List<Map<String, Object>> lines(String out) throws Exception {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : out.lines().toList()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = JSON.readValue(line, Map.class);
            lines.add(parsed);
        }
        return lines;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> record(Map<String, Object> line) {
        return (Map<String, Object>) line.get("record");
    }

    private static Connection jdbc(Path file) throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }
}
