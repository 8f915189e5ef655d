package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.storage.SqliteSchema;
import dev.veil.server.testing.FakeClock;

/** The chain's transactions on their own: no writer thread, no housekeeping, time moved by hand. */
class AuditAppenderTest {
    private static final Duration ROTATE = Duration.ofHours(24);
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private AuditConfig config;
    private AuditDatabase database;
    private EpochWatch epochs;
    private AuditAppender appender;

    @AfterEach
    void close() {
        appender.close();
        epochs.close();
        database.close();
    }

    @Test
    void appendedRecordsFormAChainTheVerifierAccepts() throws Exception {
        open(100);

        appender.append(entries(1, 3), List.of());
        appender.append(entries(4, 5), List.of());

        AuditVerifier.Result result = new AuditVerifier(database).verify(1);
        assertThat(result.ok()).as(result.problem().orElse("")).isTrue();
        assertThat(result.records()).isEqualTo(5);
    }

    @Test
    void aNewLogRecordsItsSchemaVersion() throws Exception {
        open(100);

        assertThat(SqliteSchema.version(database.connection())).isEqualTo(SqliteSchema.BASE + 2);
    }

    @Test
    void appendReturnsTheLastSequenceNumberOfItsBatch() throws Exception {
        open(100);

        assertThat(appender.append(entries(1, 3), List.of())).isEqualTo(3);
        assertThat(appender.append(entries(4, 4), List.of())).isEqualTo(4);
    }

    @Test
    void aReopenedChainContinuesFromTheFilesLastRecord() throws Exception {
        open(100);
        appender.append(entries(1, 2), List.of());
        close();

        open(100);
        appender.append(entries(3, 3), List.of());

        AuditVerifier.Result result = new AuditVerifier(database).verify(1);
        assertThat(result.ok()).as(result.problem().orElse("")).isTrue();
        assertThat(result.lastSeq()).isEqualTo(3);
    }

    @Test
    void theDataKeyRotatesOnceItsEpochHasLastedTheRotationPeriod() throws Exception {
        open(100);
        appender.append(entries(1, 1), List.of());
        long before = database.currentEpoch();

        clock.advance(ROTATE.minusSeconds(1));
        appender.append(entries(2, 2), List.of());
        long notYet = database.currentEpoch();
        clock.advance(Duration.ofSeconds(1));
        appender.append(entries(3, 3), List.of());

        assertThat(notYet).isEqualTo(before);
        assertThat(database.currentEpoch()).isEqualTo(before + 1);
        assertThat(new AuditVerifier(database).verify(1).ok()).isTrue();
    }

    @Test
    void aCheckpointIsDueAfterTheConfiguredNumberOfRecords() throws Exception {
        open(3);

        appender.append(entries(1, 2), List.of());
        boolean dueAfterTwo = appender.checkpointAfterCommit(clock.millis()).isPresent();
        appender.append(entries(3, 3), List.of());

        assertThat(dueAfterTwo).isFalse();
        assertThat(appender.checkpointAfterCommit(clock.millis())).get()
                .extracting(AuditAppender.Head::seq).isEqualTo(3L);
    }

    @Test
    void anIdleChainIsCheckpointedOnceTheIntervalHasPassed() throws Exception {
        open(100);
        appender.append(entries(1, 1), List.of());

        clock.advance(INTERVAL.minusMillis(1));
        boolean dueEarly = appender.checkpointWhenIdle(clock.millis()).isPresent();
        clock.advance(Duration.ofMillis(1));

        assertThat(dueEarly).isFalse();
        assertThat(appender.checkpointWhenIdle(clock.millis())).get()
                .extracting(AuditAppender.Head::seq).isEqualTo(1L);
    }

    @Test
    void signedCheckpointsAppendedWithRecordsAreVerified() throws Exception {
        open(100);
        appender.append(entries(1, 2), List.of());
        AuditAppender.Head head = appender.checkpointWhenIdle(clock.millis() + INTERVAL.toMillis()).orElseThrow();
        CheckpointSigner signer = new CheckpointSigner(database.keys(), null, () -> { });

        appender.append(entries(3, 3), List.of(signer.signNow(head.seq(), head.hash(), clock.millis())));

        AuditVerifier.Result result = new AuditVerifier(database).verify(1);
        assertThat(result.ok()).as(result.problem().orElse("")).isTrue();
        assertThat(result.lastCheckpoint()).isEqualTo(2);
    }

    @Test
    void closingWithUnsignedRecordsAsksForALastCheckpoint() throws Exception {
        open(100);
        appender.append(entries(1, 2), List.of());

        assertThat(appender.checkpointAtClose()).get().extracting(AuditAppender.Head::seq).isEqualTo(2L);
        assertThat(appender.checkpointAtClose()).isEmpty();
    }

    private void open(int checkpointRecords) throws IOException, SQLException {
        Path key = Files.exists(dir.resolve("audit.key")) ? dir.resolve("audit.key")
                : AuditFixtures.newKeyFile(dir, "audit.key");
        config = new AuditConfig(dir.resolve("audit.db"), false, new AuditConfig.KeyFile(key), ROTATE, checkpointRecords, INTERVAL,
                true, AuditConfig.DEFAULT_MAX_CONTENT_BYTES, Duration.ofSeconds(5));
        database = AuditDatabase.open(config, true, clock);
        epochs = EpochWatch.open(database.file(), clock);
        appender = new AuditAppender(database, config, epochs, clock);
        appender.readHead();
    }

    private List<AuditAppender.Entry> entries(int first, int last) {
        long created = clock.millis();
        return IntStream.rangeClosed(first, last).<AuditAppender.Entry>mapToObj(i -> new AuditAppender.Entry() {
            @Override
            public AuditRecord record() {
                return AuditFixtures.event("req-" + i);
            }

            @Override
            public long createdMillis() {
                return created;
            }
        }).toList();
    }
}
