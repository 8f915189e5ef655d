package dev.veil.server.audit.export;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.testing.FakeHecReceiver;

/** {@code veil audit verify --against-export} on a stream a real sink received, and on altered copies of it. */
class VerifyAgainstExportTest {
    @TempDir
    Path dir;

    private FakeHecReceiver hec;
    private String yaml;
    private List<String> lines;

    @BeforeEach
    void exportTenRecords() throws Exception {
        hec = FakeHecReceiver.start(ExportFixtures.TOKEN, dir.resolve("hec-events.jsonl"));
        yaml = ExportFixtures.yaml(dir, """
                      - {name: splunk, kind: hec, url: "%s", token: "%s"}
                """.formatted(hec.url(), ExportFixtures.TOKEN));
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 10);
            await("10 records at HEC").atMost(Duration.ofSeconds(30)).until(() -> hec.received().size() >= 10);
        }
        lines = Files.readAllLines(hec.events(), StandardCharsets.UTF_8);
    }

    @AfterEach
    void stop() {
        hec.close();
    }

    private ExportFixtures.Verified verify(List<String> altered, String... more) throws Exception {
        Path file = Files.write(dir.resolve("altered.jsonl"), altered, StandardCharsets.UTF_8);
        return ExportFixtures.verifyAgainst(yaml, file, more);
    }

    @Test
    void theStreamAsReceivedVerifies() throws Exception {
        ExportFixtures.Verified verified = verify(lines);

        assertThat(verified.exit()).as(verified.out()).isZero();
        assertThat(verified.out()).contains("every record from seq 1 to 10");
    }

    @Test
    void recordsSentAgainVerify() throws Exception {
        List<String> resent = new ArrayList<>(lines.subList(0, 6));
        resent.addAll(lines.subList(3, 10));

        ExportFixtures.Verified verified = verify(resent);

        assertThat(verified.exit()).as(verified.out()).isZero();
        assertThat(verified.out()).contains("3 sent again");
    }

    @Test
    void aMissingRecordIsTheFirstFailure() throws Exception {
        List<String> gap = new ArrayList<>(lines);
        gap.remove(4);

        ExportFixtures.Verified verified = verify(gap);

        assertThat(verified.exit()).isEqualTo(1);
        assertThat(verified.out()).contains("FAILED at seq 5: missing");
    }

    @Test
    void aRecordOutOfOrderIsAGap() throws Exception {
        List<String> swapped = new ArrayList<>(lines);
        swapped.set(2, lines.get(3));
        swapped.set(3, lines.get(2));

        ExportFixtures.Verified verified = verify(swapped);

        assertThat(verified.exit()).isEqualTo(1);
        assertThat(verified.out()).contains("FAILED at seq 3");
    }

    @Test
    void anotherHashFails() throws Exception {
        List<String> tampered = new ArrayList<>(lines);
        String line = tampered.get(6);
        int at = line.indexOf("\"hash\":\"") + 8;
        tampered.set(6, line.substring(0, at) + (line.charAt(at) == '0' ? '1' : '0') + line.substring(at + 1));

        ExportFixtures.Verified verified = verify(tampered);

        assertThat(verified.exit()).isEqualTo(1);
        assertThat(verified.out()).contains("FAILED at seq 7").contains("hash differs");
    }

    @Test
    void anExportShortOfToFails() throws Exception {
        ExportFixtures.Verified verified = verify(lines.subList(0, 8), "--to", "10");

        assertThat(verified.exit()).isEqualTo(1);
        assertThat(verified.out()).contains("FAILED at seq 9").contains("ends at seq 8");
    }
}
