package dev.veil.server.audit.export;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.audit.AdminEvent;
import dev.veil.server.audit.ToolCallEvent;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeHecReceiver;
import dev.veil.server.testing.RsyslogProcess;

class AuditStreamingTest {
    private static final Duration DELIVERY = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private FakeHecReceiver hec;

    @AfterEach
    void stopReceiver() {
        if (hec != null) {
            hec.close();
        }
    }

    private String hecYaml(String extra) throws IOException {
        hec = FakeHecReceiver.start(ExportFixtures.TOKEN, dir.resolve("hec-events.jsonl"));
        return ExportFixtures.yaml(dir, """
                      - {name: splunk, kind: hec, url: "%s", token: "%s", backoff-initial: 10ms, backoff-max: 50ms%s}
                """.formatted(hec.url(), ExportFixtures.TOKEN, extra));
    }

    private List<Long> hecSeqs() throws IOException {
        return hec.received().stream().map(event -> event.path("event").path("seq").asLong()).toList();
    }

    private static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void hecReceivesEveryRecordInChainOrderAsDocumentedEvents() throws Exception {
        String yaml = hecYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 50);
            await("50 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().size() >= 50);
        }

        assertThat(hecSeqs()).containsExactlyElementsOf(range(1, 50));
        JsonNode first = hec.received().get(0);
        assertThat(first.path("host").asText()).isEqualTo("node-a");
        assertThat(first.path("sourcetype").asText()).isEqualTo("veil:audit");
        assertThat(first.path("source").asText()).isEqualTo("veil");
        assertThat(first.path("time").isNumber()).isTrue();
        JsonNode event = first.path("event");
        assertThat(event.path("request_id").asText()).isEqualTo("req-1");
        assertThat(event.path("principal").path("tenant").asText()).isEqualTo("acme");
        assertThat(event.path("principal").path("team").asText()).isEqualTo("risk");
        assertThat(event.path("model").asText()).isEqualTo("smart");
        assertThat(event.path("region").asText()).isEqualTo("eu-west-1");
        assertThat(event.path("pii").path("EMAIL").asInt()).isEqualTo(2);
        assertThat(event.path("tokens").path("prompt_tokens").asInt()).isEqualTo(10);
        assertThat(event.path("cost_micro_usd").asLong()).isEqualTo(42);
        assertThat(event.path("hash").asText()).hasSize(64);
        assertThat(event.path("type").asText()).isEqualTo("request");
        assertThat(event.path("decision").path("id").asText()).isEqualTo("decision-1");
        assertThat(event.path("decision").path("policy_revision").asText()).isEqualTo("policies-rev-7");
    }

    @Test
    void adminRecordsGoInTheSameStreamWithActorActionAndOutcome() throws Exception {
        String yaml = hecYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 1);
            log.record(new AdminEvent("adm_1", new AdminEvent.Actor("api", "master", Optional.empty(),
                    Optional.empty(), Optional.of("key-admin")), "key.create", Map.of("key_id", "vk-9"),
                    Optional.empty(), Optional.of(Map.of("key_id", "vk-9", "tenant", "acme")), 201, "applied"));
            await("2 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().size() >= 2);
        }

        JsonNode admin = hec.received().get(1).path("event");
        assertThat(admin.path("seq").asLong()).isEqualTo(2);
        assertThat(admin.path("type").asText()).isEqualTo("admin");
        assertThat(admin.path("actor").path("role").asText()).isEqualTo("key-admin");
        assertThat(admin.path("action").asText()).isEqualTo("key.create");
        assertThat(admin.path("target").path("key_id").asText()).isEqualTo("vk-9");
        assertThat(admin.path("after").path("tenant").asText()).isEqualTo("acme");
        assertThat(admin.path("outcome").asText()).isEqualTo("applied");
    }

    @Test
    void toolCallRecordsGoInTheSameStreamWithToolDecisionAndCounts() throws Exception {
        String yaml = hecYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            log.record(new ToolCallEvent("req_t1", "vk-1", "acme", "risk", Optional.of("ana"), "crm", "find_customer",
                    Optional.of("sha256:ab"), Optional.of("dec-1"), false, List.of("tool not allowed for team risk"),
                    Map.of("EMAIL", 1), Map.of(), false, 1200, "denied"));
            await("1 record at HEC").atMost(DELIVERY).until(() -> hecSeqs().size() >= 1);
        }

        JsonNode call = hec.received().get(0).path("event");
        assertThat(call.path("type").asText()).isEqualTo("tool_call");
        assertThat(call.path("principal").path("user").asText()).isEqualTo("ana");
        assertThat(call.path("server").asText()).isEqualTo("crm");
        assertThat(call.path("tool").asText()).isEqualTo("find_customer");
        assertThat(call.path("definition_hash").asText()).isEqualTo("sha256:ab");
        assertThat(call.path("decision").path("allowed").asBoolean(true)).isFalse();
        assertThat(call.path("decision").path("reasons").get(0).asText()).isEqualTo("tool not allowed for team risk");
        assertThat(call.path("pii").path("EMAIL").asInt()).isEqualTo(1);
        assertThat(call.path("outcome").asText()).isEqualTo("denied");
    }

    @Test
    void noContentLeavesWithTheRecords() throws Exception {
        String yaml = hecYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 3);
            await("3 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().size() >= 3);
        }

        String received = Files.readString(hec.events(), StandardCharsets.UTF_8);
        assertThat(received).doesNotContain("secret plan").doesNotContain("PERSON_1").doesNotContain("prompt_sha256")
                .doesNotContain("\"prompt\"").doesNotContain("\"response\"");
    }

    @Test
    void batchesHoldAtMostBatchSizeRecords() throws Exception {
        String yaml = hecYaml(", batch-size: 7");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config)) {
            ExportFixtures.write(log, 1, 40);
            try (AuditStreaming streaming = ExportFixtures.stream(config, log)) {
                await("40 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().size() >= 40);
            }
        }

        assertThat(hec.batchSizes()).allMatch(size -> size <= 7).contains(7);
        assertThat(hecSeqs()).containsExactlyElementsOf(range(1, 40));
    }

    @Test
    void batchesHoldAtMostBatchBytes() throws Exception {
        String yaml = hecYaml(", batch-bytes: 2KiB");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config)) {
            ExportFixtures.write(log, 1, 30);
            try (AuditStreaming streaming = ExportFixtures.stream(config, log)) {
                await("30 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().size() >= 30);
            }
        }

        assertThat(hec.batchSizes()).allMatch(size -> size <= 4);
        assertThat(hecSeqs()).containsExactlyElementsOf(range(1, 30));
    }

    @Test
    void anOutageOfHecDrainsAfterwardsWithoutGap() throws Exception {
        String yaml = hecYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 20);
            await("20 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().size() >= 20);
            hec.failing(true);
            ExportFixtures.write(log, 21, 60);
            await("HEC refusing").atMost(DELIVERY).until(() -> hec.refused() >= 3);
            hec.failing(false);
            await("60 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().contains(60L));
        }

        assertThat(hecSeqs()).containsExactlyElementsOf(range(1, 60));
        assertThat(ExportFixtures.verifyAgainst(yaml, hec.events()).exit()).isZero();
    }

    @Test
    void aRestartResumesFromTheCursorWithoutGap() throws Exception {
        String yaml = hecYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config)) {
            try (AuditStreaming streaming = ExportFixtures.stream(config, log)) {
                ExportFixtures.write(log, 1, 25);
                await("25 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().size() >= 25);
            }
            ExportFixtures.write(log, 26, 40);
        }
        assertThat(Files.readString(dir.resolve("audit.db.export/splunk.cursor"))).startsWith("25 ");
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            await("40 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().contains(40L));
        }

        assertThat(hecSeqs()).containsExactlyElementsOf(range(1, 40));
    }

    @Test
    void aCursorOfAnotherLogStartsFromTheFirstRecord() throws Exception {
        String yaml = hecYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        Files.createDirectories(dir.resolve("audit.db.export"));
        Files.writeString(dir.resolve("audit.db.export/splunk.cursor"), "3 " + "ab".repeat(32) + "\n");
        try (CapturedLogs logs = CapturedLogs.open(); AuditLog log = AuditLog.open(config)) {
            ExportFixtures.write(log, 1, 5);
            try (AuditStreaming streaming = ExportFixtures.stream(config, log)) {
                await("5 records at HEC").atMost(DELIVERY).until(() -> hecSeqs().size() >= 5);
            }
            assertThat(logs.text()).contains("does not match this audit log");
        }

        assertThat(hecSeqs()).containsExactlyElementsOf(range(1, 5));
    }

    @Test
    void aWrongTokenIsReportedWithHecsAnswerAndNeverTheToken() throws Exception {
        hec = FakeHecReceiver.start("the-right-token", dir.resolve("hec-events.jsonl"));
        String yaml = ExportFixtures.yaml(dir, """
                      - {name: splunk, kind: hec, url: "%s", token: "%s", backoff-initial: 10ms, backoff-max: 20ms}
                """.formatted(hec.url(), ExportFixtures.TOKEN));
        AuditConfig config = ExportFixtures.audit(yaml);
        try (CapturedLogs logs = CapturedLogs.open(); AuditLog log = AuditLog.open(config);
             AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 1);
            await("a failure logged").atMost(DELIVERY).until(() -> logs.text().contains("answered 403"));

            assertThat(logs.text()).contains("Invalid token (code 4)").doesNotContain(ExportFixtures.TOKEN);
        }
    }

    @Test
    void theLagBoundSkipsTheOldestRecordsAndSaysWhich() throws Exception {
        String yaml = hecYaml(", max-lag-records: 10");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (CapturedLogs logs = CapturedLogs.open(); AuditLog log = AuditLog.open(config)) {
            ExportFixtures.write(log, 1, 30);
            try (AuditStreaming streaming = ExportFixtures.stream(config, log)) {
                await("records at HEC").atMost(DELIVERY).until(() -> hecSeqs().contains(30L));
            }
            assertThat(logs.text()).contains("starts 30 records behind").contains("records 1 to 20 are skipped");
        }

        assertThat(hecSeqs()).containsExactlyElementsOf(range(21, 30));
        assertThat(ExportFixtures.verifyAgainst(yaml, hec.events()).out()).contains("FAILED at seq 1");
        assertThat(ExportFixtures.verifyAgainst(yaml, hec.events(), "--from", "21").exit()).isZero();
    }

    @Test
    void rsyslogOverTlsReceivesEveryRecordInOrder() throws Exception {
        Path rsyslogDir = Files.createDirectories(dir.resolve("rsyslog"));
        try (RsyslogProcess rsyslog = RsyslogProcess.start(rsyslogDir)) {
            String yaml = ExportFixtures.yaml(dir, """
                          - name: siem
                            kind: syslog
                            host: 127.0.0.1
                            port: %d
                            ca-file: "%s"
                            structured-data: {"env@32473": {name: prod}}
                    """.formatted(rsyslog.port(), rsyslog.caFile()));
            AuditConfig config = ExportFixtures.audit(yaml);
            try (AuditLog log = AuditLog.open(config);
                 AuditStreaming streaming = ExportFixtures.stream(config, log)) {
                ExportFixtures.write(log, 1, 100);
                await("100 records at rsyslog").atMost(DELIVERY).until(() -> rsyslog.lines().size() >= 100);
            }

            List<String> lines = rsyslog.lines();
            assertThat(lines.get(0)).startsWith("<134>1 ").contains(" node-a veil - audit [env@32473 name=\"prod\"] "
                    + "{\"seq\":1,");
            ExportFixtures.Verified verified = ExportFixtures.verifyAgainst(yaml, rsyslog.received());
            assertThat(verified.exit()).as(verified.out()).isZero();
            assertThat(verified.out()).contains("every record from seq 1 to 100");
        }
    }

    @Test
    void aRestartOfRsyslogLosesNoRecord() throws Exception {
        Path rsyslogDir = Files.createDirectories(dir.resolve("rsyslog"));
        try (RsyslogProcess rsyslog = RsyslogProcess.start(rsyslogDir)) {
            String yaml = ExportFixtures.yaml(dir, """
                          - {name: siem, kind: syslog, host: 127.0.0.1, port: %d, ca-file: "%s", \
                    backoff-initial: 10ms, backoff-max: 100ms}
                    """.formatted(rsyslog.port(), rsyslog.caFile()));
            AuditConfig config = ExportFixtures.audit(yaml);
            try (AuditLog log = AuditLog.open(config);
                 AuditStreaming streaming = ExportFixtures.stream(config, log)) {
                ExportFixtures.write(log, 1, 30);
                await("30 records at rsyslog").atMost(DELIVERY).until(() -> rsyslog.lines().size() >= 30);
                rsyslog.restart();
                ExportFixtures.write(log, 31, 60);
                await("60 records at rsyslog").atMost(DELIVERY)
                        .until(() -> rsyslog.lines().stream().anyMatch(line -> line.contains("{\"seq\":60,")));
            }

            ExportFixtures.Verified verified = ExportFixtures.verifyAgainst(yaml, rsyslog.received(), "--to", "60");
            assertThat(verified.exit()).as(verified.out()).isZero();
        }
    }
}
