package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.Secret;
import dev.veil.server.testing.Awaits;
import dev.veil.server.testing.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuditLogTest {
    @TempDir
    Path dir;

    @Test
    void recordsAreReadableWithTheKeyAndVerify() throws Exception {
        AuditConfig config = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                false, 1000);
        AuditFixtures.write(config, 3);

        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            Map<Long, Map<String, Object>> records = new AuditExporter(database).all();
            assertThat(records).hasSize(3);
            assertThat(records.get(2L)).containsEntry("request_id", "req-2").containsEntry("provider", "openai")
                    .containsEntry("response", "Hi <PERSON_1>");
            AuditVerifier.Result result = new AuditVerifier(database).verify(1);
            assertThat(result.ok()).isTrue();
            assertThat(result.lastSeq()).isEqualTo(3);
            assertThat(result.lastCheckpoint()).isEqualTo(3);
        }
    }

    @Test
    void syncRecordIsCommittedWhenRecordReturns() throws Exception {
        AuditConfig config = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                false, 1000);
        try (AuditLog log = AuditLog.open(config)) {
            log.record(AuditFixtures.event("req-1"));

            assertThat(countRows(config.database())).isEqualTo(1);
        }
    }

    @Test
    void syncCommitsAreFlushedToTheDiskOnlyWithFsync() throws Exception {
        Path keyFile = AuditFixtures.newKeyFile(dir, "key");
        AuditConfig base = AuditFixtures.config(dir.resolve("normal.db"), keyFile, false, 1000);
        AuditConfig flushed = new AuditConfig(dir.resolve("full.db"), false, base.key(), base.rotate(), 1000,
                base.checkpointInterval(), true, base.maxContentBytes(), base.commitTimeout(), true);

        assertThat(synchronousMode(base)).isEqualTo(1);
        assertThat(synchronousMode(flushed)).isEqualTo(2);
    }

    @ParameterizedTest(name = "async={0}, fsync={1}")
    @CsvSource({"false, false", "false, true", "true, false"})
    void concurrentRequestsAllLandInOneVerifiableChain(boolean async, boolean fsync) throws Exception {
        AuditConfig base = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                async, 100);
        AuditConfig config = new AuditConfig(base.database(), async, base.key(), base.rotate(), 100,
                base.checkpointInterval(), true, base.maxContentBytes(), base.commitTimeout(), fsync);
        try (AuditLog log = AuditLog.open(config);
             ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int thread = 0; thread < 32; thread++) {
                int t = thread;
                requests.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        log.record(AuditFixtures.event("req-" + t + "-" + i));
                    }
                    return null;
                });
            }
        }

        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            assertThat(new AuditExporter(database).all()).hasSize(32 * 40);
            AuditVerifier.Result result = new AuditVerifier(database).verify(1);
            assertThat(result.ok()).isTrue();
            assertThat(result.lastCheckpoint()).isEqualTo(32 * 40);
        }
    }

    @Test
    void asyncRecordsAreAllCommittedAtClose() throws Exception {
        AuditConfig config = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                true, 1000);
        AuditFixtures.write(config, 500);

        assertThat(countRows(config.database())).isEqualTo(500);
    }

    @Test
    void plaintextColumnsHoldNoRequestContent() throws Exception {
        AuditConfig config = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                false, 1000);
        AuditFixtures.write(config, 2);
        Files.deleteIfExists(Path.of(config.database() + "-wal"));

        byte[] file = Files.readAllBytes(config.database());
        String raw = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(raw).doesNotContain("req-1", "PERSON", "openai", "gpt-4o", "smart", "master");
    }

    @Test
    void zeroRetentionKeepsOnlyHashesOfContent() throws Exception {
        AuditConfig config = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                false, 1000);
        try (AuditLog log = AuditLog.open(config)) {
            log.record(AuditFixtures.event("req-zr", true));
        }

        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            Map<String, Object> record = new AuditExporter(database).all().get(1L);
            assertThat(record).doesNotContainKeys("prompt", "response").containsKeys("prompt_sha256",
                    "response_sha256").containsEntry("zero_retention", true);
        }
    }

    @Test
    void aWrongKeyForAnExistingLogIsAStartupErrorNamingTheKey() throws Exception {
        Path database = dir.resolve("audit.db");
        AuditFixtures.write(AuditFixtures.config(database, AuditFixtures.newKeyFile(dir, "key"), false, 1000), 1);
        AuditConfig other = AuditFixtures.config(database, AuditFixtures.newKeyFile(dir, "other"), false, 1000);

        assertThatThrownBy(() -> AuditLog.open(other)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.audit.key-file: is not the key the audit log");
    }

    @Test
    void aMissingKeyFileIsAStartupErrorThatSaysHowToMakeOne() {
        AuditConfig config = AuditFixtures.config(dir.resolve("audit.db"), dir.resolve("absent"), false, 1000);

        assertThatThrownBy(() -> AuditLog.open(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.audit.key-file").hasMessageContaining("does not exist")
                .hasMessageContaining("head -c 32 /dev/urandom | base64");
        assertThat(config.database()).doesNotExist();
    }

    @Test
    void aFileThatIsNotADatabaseIsAStartupError() throws Exception {
        Path database = dir.resolve("audit.db");
        Files.writeString(database, "this is not sqlite, just some text that is long enough to have a header.....");
        AuditConfig config = AuditFixtures.config(database, AuditFixtures.newKeyFile(dir, "key"), false, 1000);

        assertThatThrownBy(() -> AuditLog.open(config)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.audit.file:").hasMessageContaining("cannot be read as an audit log");
    }

    @Test
    void aPassphraseOpensTheLogItCreated() throws Exception {
        AuditConfig config = new AuditConfig(dir.resolve("audit.db"), false,
                new AuditConfig.PassphraseEnv("AUDIT_PASSPHRASE", new Secret("correct horse battery staple")),
                AuditConfig.DEFAULT_ROTATE, 10, java.time.Duration.ofHours(1), true, 1024,
                java.time.Duration.ofSeconds(5));
        AuditFixtures.write(config, 2);

        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            assertThat(new AuditVerifier(database).verify(1).ok()).isTrue();
        }
        AuditConfig wrong = new AuditConfig(config.database(), false,
                new AuditConfig.PassphraseEnv("AUDIT_PASSPHRASE", new Secret("wrong")), config.rotate(), 10,
                config.checkpointInterval(), true, 1024, config.commitTimeout());
        assertThatThrownBy(() -> AuditDatabase.open(wrong, false)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.audit.passphrase-env:");
    }

    @Test
    void rotationStartsANewEpochAndOldEpochsStayReadable() throws Exception {
        AuditConfig config = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                false, 1000);
        AuditFixtures.write(config, 1);
        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            assertThat(database.rotate()).isEqualTo(1);
        }
        AuditFixtures.write(config, 1);

        try (AuditDatabase database = AuditDatabase.open(config, false);
             Connection connection = DriverManager.getConnection("jdbc:sqlite:" + config.database());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT epoch FROM records ORDER BY seq")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).isZero();
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).isEqualTo(1);
            assertThat(new AuditExporter(database).all()).hasSize(2);
            assertThat(new AuditVerifier(database).verify(1).ok()).isTrue();
        }
    }

    @Test
    void checkpointsAreSignedWhileTheLogRuns() throws Exception {
        AuditConfig config = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                false, 2);
        try (AuditLog log = AuditLog.open(config)) {
            for (int i = 1; i <= 5; i++) {
                log.record(AuditFixtures.event("req-" + i));
            }

            Awaits.await("checkpoint 4 signed and inserted")
                    .until(() -> rowExists(config.database(), "SELECT 1 FROM checkpoints WHERE seq = 4"));
        }
    }

    @Test
    void rotateKeyReachesALiveLog() throws Exception {
        AuditConfig config = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                false, 1000);
        try (AuditLog log = AuditLog.open(config)) {
            log.record(AuditFixtures.event("req-before"));
            try (AuditDatabase cli = AuditDatabase.open(config, false)) {
                cli.rotate();
            }
            AtomicInteger written = new AtomicInteger();
            Awaits.await("a record under the rotated key").atMost(Duration.ofSeconds(10)).until(() -> {
                log.record(AuditFixtures.event("req-after-" + written.incrementAndGet()));
                return rowExists(config.database(), "SELECT 1 FROM records WHERE epoch = 1");
            });
        }

        assertThat(rowExists(config.database(), "SELECT 1 FROM records WHERE epoch = 1")).isTrue();
        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            assertThat(new AuditVerifier(database).verify(1).ok()).isTrue();
        }
    }

    @Test
    void anEpochEndsWhenItsRotationPeriodHasPassed() throws Exception {
        AuditConfig base = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                false, 1000);
        AuditConfig config = new AuditConfig(base.database(), false, base.key(), Duration.ofMillis(50), 1000,
                base.checkpointInterval(), true, base.maxContentBytes(), base.commitTimeout());
        FakeClock clock = new FakeClock();
        try (AuditLog log = AuditLog.open(config, clock)) {
            log.record(AuditFixtures.event("req-1"));
            clock.advance(Duration.ofMillis(50));
            log.record(AuditFixtures.event("req-2"));
        }

        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            assertThat(rowExists(config.database(), "SELECT 1 FROM records WHERE seq = 1 AND epoch = 0")).isTrue();
            assertThat(rowExists(config.database(), "SELECT 1 FROM records WHERE seq = 2 AND epoch = 1")).isTrue();
            assertThat(rowExists(config.database(), "SELECT 1 FROM records WHERE seq = 2 AND epoch = "
                    + database.currentEpoch())).isTrue();
            assertThat(new AuditExporter(database).all()).hasSize(2);
        }
    }

    @Test
    void longContentIsCutAndMarked() throws Exception {
        AuditConfig base = AuditFixtures.config(dir.resolve("audit.db"), AuditFixtures.newKeyFile(dir, "key"),
                false, 1000);
        AuditConfig config = new AuditConfig(base.database(), false, base.key(), base.rotate(), 1000,
                base.checkpointInterval(), true, 8, base.commitTimeout());
        AuditFixtures.write(config, 1);

        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            Map<String, Object> record = new AuditExporter(database).all().get(1L);
            assertThat((String) record.get("prompt")).hasSize(8);
            assertThat(record).containsEntry("prompt_truncated", true);
        }
    }

    /** SQLite's {@code PRAGMA synchronous} on the writer's connection: 1 is NORMAL, 2 is FULL. */
    private static int synchronousMode(AuditConfig config) throws Exception {
        try (AuditDatabase database = AuditDatabase.open(config, true);
             Statement statement = database.connection().createStatement();
             ResultSet row = statement.executeQuery("PRAGMA synchronous")) {
            row.next();
            return row.getInt(1);
        }
    }

    private static boolean rowExists(Path database, String query) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(query)) {
            return row.next();
        }
    }

    private static long countRows(Path database) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM records")) {
            row.next();
            return row.getLong(1);
        }
    }
}
