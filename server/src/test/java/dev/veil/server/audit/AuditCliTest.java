package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCliTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private AuditCli cli;
    private AuditConfig config;

    @BeforeEach
    void writeALog() throws Exception {
        Path key = AuditFixtures.newKeyFile(dir, "audit-key");
        String yaml = """
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  data-dir: "%s"
                  providers: {veil: {kind: echo}}
                  audit: {key-file: "%s", checkpoint: {records: 2}}
                """.formatted(dir, key);
        config = ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get).audit().orElseThrow();
        AuditFixtures.write(config, 5);
        cli = new AuditCli(file -> ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void verifyOfAnIntactLogExitsZero() {
        assertThat(cli.run(List.of("verify"))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("OK: 5 records", "public key (Ed25519): ");
    }

    @Test
    void verifyOfATamperedLogExitsOneNamingTheFirstBadSeq() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + config.database());
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM records WHERE seq = 2");
        }

        assertThat(cli.run(List.of("verify"))).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("FAILED at seq 2");
    }

    @Test
    void exportWritesTheRangeAsJsonLines() {
        assertThat(cli.run(List.of("export", "--from", "2", "--to", "3"))).isZero();

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("{\"seq\":2,").contains("\"request_id\":\"req-2\"");
    }

    @Test
    void theConfigsLogIsReportedAndExportedWithItsNodeId() {
        assertThat(cli.run(List.of("verify"))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("node id: " + config.nodeId() + "\n");
        out.reset();

        assertThat(cli.run(List.of("export", "--to", "1"))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("{\"seq\":1,\"epoch\":0,\"node_id\":\""
                + config.nodeId() + "\",\"record\":{");
    }

    @Test
    void rotateKeyStartsTheNextEpoch() {
        assertThat(cli.run(List.of("rotate-key"))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("new data-key epoch 1");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(cli.run(List.of("shred"))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown audit command");
    }
}
