package dev.veil.server.conversations;

import static dev.veil.server.conversations.ConversationFixtures.TENANT_A;
import static dev.veil.server.conversations.ConversationFixtures.config;
import static dev.veil.server.conversations.ConversationFixtures.newKeys;
import static dev.veil.server.conversations.ConversationFixtures.rows;
import static dev.veil.server.conversations.ConversationFixtures.turn;
import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;

import dev.veil.server.audit.AuditKeys;
import dev.veil.server.config.ResponsesConfig;
import dev.veil.server.testing.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A response held in memory at once and written to disk after the client has its answer. */
class HeldResponsesTest {
    @TempDir
    Path dataDir;
    private final FakeClock clock = new FakeClock();
    private final AuditKeys keys = newKeys();
    private Conversations conversations;

    @BeforeEach
    void open() {
        conversations = Conversations.open(config(dataDir), clock.clocks(), Optional.of(keys));
    }

    @AfterEach
    void close() {
        conversations.close();
    }

    private Path file() {
        return dataDir.resolve("responses.db");
    }

    @Test
    void aHeldResponseIsFoundBeforeItsWrite() throws Exception {
        conversations.hold(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(conversations.get(TENANT_A, "resp_1")).isPresent();
        assertThat(conversations.chain(TENANT_A, "resp_1")).hasSize(1);
        assertThat(rows(file())).isZero();
    }

    @Test
    void aHeldResponseIsWrittenToDiskByItsWrite() throws Exception {
        Runnable write = conversations.hold(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        write.run();

        await("the write of the held response").until(() -> rows(file()) == 1);
        assertThat(conversations.get(TENANT_A, "resp_1")).isPresent();
    }

    @Test
    void aResponseDeletedBeforeItsWriteIsNeverWritten() throws Exception {
        Runnable write = conversations.hold(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(conversations.delete(TENANT_A, "resp_1")).isTrue();
        write.run();
        conversations.close();

        assertThat(rows(file())).isZero();
        open();
        assertThat(conversations.get(TENANT_A, "resp_1")).isEmpty();
    }

    @Test
    void closingWritesWhatIsStillHeld() throws Exception {
        conversations.hold(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        conversations.close();

        assertThat(rows(file())).isEqualTo(1);
        open();
        assertThat(conversations.get(TENANT_A, "resp_1")).isPresent();
    }

    @Test
    void pastMaxMemoryBytesOfUnwrittenResponsesOneIsWrittenBeforeItsAnswer() throws Exception {
        conversations.close();
        ResponsesConfig defaults = config(dataDir);
        conversations = Conversations.open(new ResponsesConfig(true, defaults.ttl(), defaults.database(),
                defaults.memoryTtl(), 1024 * 1024, defaults.maxTurns(), defaults.sweepInterval(),
                defaults.maxConversationBytes()), clock.clocks(), Optional.of(keys));
        StoredResponse large = turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false);
        large = new StoredResponse(large.id(), large.tenant(), large.previousId(), large.createdAt(),
                large.expiresAt(), large.model(), large.inputItems(), new byte[1024 * 1024 + 1], large.pseudonyms(),
                false);

        conversations.hold(large);

        assertThat(rows(file())).isEqualTo(1);
    }

    @Test
    void aZeroRetentionResponseIsKeptInMemoryAndNeverWritten() throws Exception {
        conversations.hold(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), true)).run();
        conversations.close();

        assertThat(rows(file())).isZero();
    }
}
