package dev.veil.server.audit;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Changes to Veil made outside the admin API land in the audit chain as admin records, beside the requests. */
class AdminRecordsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path configFile;
    private String yaml;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        Path key = AuditFixtures.newKeyFile(dir, "audit-key");
        yaml = """
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  data-dir: "%s"
                  providers: {veil: {kind: echo}}
                  audit: {key-file: "%s"}
                """.formatted(VeilUnderTest.MASTER_KEY, dir, key);
        configFile = dir.resolve("veil.yaml");
        Files.writeString(configFile, yaml);
        veil = VeilUnderTest.start(yaml);
    }

    @AfterEach
    void stop() {
        if (veil != null) {
            veil.close();
        }
    }

    @Test
    void anAppliedReloadIsRecordedWithWhatAskedForItAndTheRevisions() throws Exception {
        Files.writeString(configFile, yaml + "  models: {fast: {targets: [\"veil/echo\"]}}\n");

        veil.server().reload(configFile, Map.<String, String>of()::get);
        veil.close();
        veil = null;

        JsonNode record = only(adminRecords(), "config.reload");
        assertThat(record.path("actor").path("via").asText()).isEqualTo("signal");
        assertThat(record.path("outcome").asText()).isEqualTo("applied");
        assertThat(record.path("target").path("file").asText()).isEqualTo(configFile.toString());
        assertThat(record.path("target").path("revision").asText())
                .isNotEqualTo(record.path("target").path("from_revision").asText());
    }

    @Test
    void aRefusedReloadIsRecordedWithTheReason() throws Exception {
        Files.writeString(configFile, yaml.replace("data-dir: \"" + dir, "data-dir: \"" + dir.resolve("elsewhere")));

        veil.server().reload(configFile, Map.<String, String>of()::get);
        veil.close();
        veil = null;

        assertThat(only(adminRecords(), "config.reload").path("outcome").asText())
                .startsWith("refused: veil.data-dir").contains("only at startup");
    }

    @Test
    void aKeyRotationByTheLocalCommandIsChainedByTheRunningVeil() throws Exception {
        assertThat(cli().run(List.of("rotate-key"))).isZero();

        await("the running Veil chains the posted record").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200)).until(() -> adminRecords().stream()
                        .anyMatch(r -> r.path("action").asText().equals("audit.rotate_key")));
        JsonNode record = only(adminRecords(), "audit.rotate_key");
        assertThat(record.path("actor").path("via").asText()).isEqualTo("cli");
        assertThat(record.path("actor").path("user").asText()).isEqualTo(System.getProperty("user.name"));
        assertThat(record.path("target").path("epoch").asText()).isEqualTo("1");
    }

    @Test
    void anExportRunIsRecordedWithItsRange() throws Exception {
        veil.post("/v1/chat/completions", "{\"model\":\"veil/echo\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");

        assertThat(cli().run(List.of("export", "--from", "1"))).isZero();

        await("the export run chained").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> adminRecords().stream().anyMatch(r -> r.path("action").asText()
                        .equals("audit.export")));
        JsonNode record = only(adminRecords(), "audit.export");
        assertThat(record.path("target").path("from").asText()).isEqualTo("1");
        assertThat(record.path("target").path("records").asText()).isEqualTo("1");
    }

    private AuditCli cli() {
        return new AuditCli(file -> ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /**
     * The admin records of the chain, decrypted as {@code veil audit export} writes them, read without the command
     * (which would post a record of its own run).
     */
    private List<JsonNode> adminRecords() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AuditDatabase database = AuditDatabase.open(ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get)
                .audit().orElseThrow(), false)) {
            new AuditExporter(database).export(1, Long.MAX_VALUE, new PrintStream(out, true, StandardCharsets.UTF_8));
        }
        List<JsonNode> records = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            JsonNode record = JSON.readTree(line).path("record");
            if (record.path("type").asText().equals("admin")) {
                records.add(record);
            }
        }
        return records;
    }

    private static JsonNode only(List<JsonNode> records, String action) {
        List<JsonNode> matching = records.stream().filter(r -> r.path("action").asText().equals(action)).toList();
        assertThat(matching).as("admin records of " + action).hasSize(1);
        return matching.get(0);
    }
}
