package dev.veil.server.conversations;

import static dev.veil.server.conversations.ConversationFixtures.EMAIL;
import static dev.veil.server.conversations.ConversationFixtures.NAME;
import static dev.veil.server.conversations.ConversationFixtures.TENANT_A;
import static dev.veil.server.conversations.ConversationFixtures.TENANT_B;
import static dev.veil.server.conversations.ConversationFixtures.TTL;
import static dev.veil.server.conversations.ConversationFixtures.config;
import static dev.veil.server.conversations.ConversationFixtures.execute;
import static dev.veil.server.conversations.ConversationFixtures.filesContaining;
import static dev.veil.server.conversations.ConversationFixtures.newKeys;
import static dev.veil.server.conversations.ConversationFixtures.rows;
import static dev.veil.server.conversations.ConversationFixtures.snapshot;
import static dev.veil.server.conversations.ConversationFixtures.turn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.veil.server.audit.AuditKeys;
import dev.veil.server.config.ResponsesConfig;
import dev.veil.server.testing.Awaits;
import dev.veil.server.testing.FakeClock;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code responses.db} and the files beside it hold, read byte by byte and through plain JDBC. */
class ResponsesOnDiskTest {
    @TempDir
    Path dataDir;
    private final FakeClock clock = new FakeClock();
    private final AuditKeys keys = newKeys();
    private Path file;
    private Conversations conversations;

    @BeforeEach
    void open() {
        file = dataDir.resolve("responses.db");
        conversations = Conversations.open(config(dataDir), clock.clocks(), Optional.of(keys));
    }

    @AfterEach
    void close() {
        conversations.close();
    }

    @Test
    void theFileAndItsWalHoldNoPersonalDataInClear() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(dataDir.resolve("responses.db-wal")).exists();
        assertThat(filesContaining(dataDir, "resp_1")).as("the id is a clear column").isNotEmpty();
        assertThat(filesContaining(dataDir, NAME)).isEmpty();
        assertThat(filesContaining(dataDir, EMAIL)).isEmpty();
        assertThat(filesContaining(dataDir, "<PERSON_1>")).isEmpty();
        assertThat(filesContaining(dataDir, "output_text")).isEmpty();
        assertThat(filesContaining(dataDir, "gpt-4o")).isEmpty();
    }

    @Test
    void theFileIsReadableByVeilsUserOnly() throws Exception {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dataDir.resolve("responses.db-wal")))).isEqualTo("rw-------");
    }

    @Test
    void aBlobCopiedToAnotherRowIsRefused() throws Exception {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));
        conversations.put(turn("resp_2", TENANT_A, Optional.empty(), clock.instant(), false));

        execute(file, "UPDATE responses SET (nonce, content) = (SELECT nonce, content FROM responses "
                + "WHERE id = 'resp_1') WHERE id = 'resp_2'");

        assertRefused(TENANT_A, "resp_2");
        assertThat(conversations.get(TENANT_A, "resp_1")).isPresent();
    }

    @Test
    void aRowMovedToAnotherTenantIsRefused() throws Exception {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        execute(file, "UPDATE responses SET tenant = '" + TENANT_B + "' WHERE id = 'resp_1'");

        assertRefused(TENANT_B, "resp_1");
    }

    @Test
    void aRowWhoseExpiryWasPushedBackIsRefused() throws Exception {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        execute(file, "UPDATE responses SET expires_ms = expires_ms + 86400000 WHERE id = 'resp_1'");

        assertRefused(TENANT_A, "resp_1");
    }

    @Test
    void afterTheTtlTheSweepLeavesNoRowAndNoTraceOfTheResponseOnDisk() throws Exception {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));
        clock.advance(TTL);

        assertThat(conversations.sweep(clock.instant())).isEqualTo(1);

        assertThat(rows(file)).isZero();
        assertThat(filesContaining(dataDir, "resp_1")).isEmpty();
    }

    @Test
    void theSweepRunsByItselfEverySweepInterval() throws Exception {
        conversations.close();
        ResponsesConfig defaults = config(dataDir);
        conversations = Conversations.open(new ResponsesConfig(true, defaults.ttl(), defaults.database(),
                defaults.memoryTtl(), defaults.maxMemoryBytes(), defaults.maxTurns(), Duration.ofMillis(20),
                defaults.maxConversationBytes()),
                clock.clocks(), Optional.of(keys));
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        clock.advance(TTL);

        Awaits.await("the background sweep").atMost(Duration.ofSeconds(10)).until(() -> rows(file) == 0);
    }

    @Test
    void theSweepKeepsResponsesNotYetExpired() throws Exception {
        conversations.put(turn("resp_old", TENANT_A, Optional.empty(), clock.instant(), false));
        clock.advance(TTL.dividedBy(2));
        conversations.put(turn("resp_new", TENANT_A, Optional.empty(), clock.instant(), false));
        clock.advance(TTL.dividedBy(2));

        assertThat(conversations.sweep(clock.instant())).isEqualTo(1);

        assertThat(rows(file)).isEqualTo(1);
        assertThat(conversations.get(TENANT_A, "resp_new")).isPresent();
    }

    @Test
    void aDeletedResponseLeavesNoTraceOnDiskAfterTheNextSweep() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));
        conversations.delete(TENANT_A, "resp_1");

        conversations.sweep(clock.instant());

        assertThat(filesContaining(dataDir, "resp_1")).isEmpty();
    }

    @Test
    void aZeroRetentionResponseNeverTouchesTheDisk() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));
        conversations.sweep(clock.instant());
        Map<String, byte[]> before = snapshot(dataDir);

        conversations.put(turn("resp_zr", TENANT_A, Optional.of("resp_1"), clock.instant(), true));
        assertThat(conversations.get(TENANT_A, "resp_zr")).isPresent();
        conversations.sweep(clock.instant());

        assertThat(filesContaining(dataDir, "resp_zr")).isEmpty();
        assertThat(filesContaining(dataDir, NAME)).isEmpty();
        assertThat(snapshot(dataDir)).containsOnlyKeys(before.keySet().toArray(String[]::new));
        before.forEach((name, bytes) -> assertThat(snapshot(dataDir).get(name)).as(name).isEqualTo(bytes));
    }

    private void assertRefused(String tenant, String id) {
        assertThatThrownBy(() -> conversations.get(tenant, id))
                .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INTERNAL))
                .hasMessageContaining(id)
                .hasMessageNotContaining(NAME);
    }
}
