package dev.veil.server.conversations;

import static dev.veil.server.conversations.ConversationFixtures.EMAIL;
import static dev.veil.server.conversations.ConversationFixtures.NAME;
import static dev.veil.server.conversations.ConversationFixtures.TENANT_A;
import static dev.veil.server.conversations.ConversationFixtures.TENANT_B;
import static dev.veil.server.conversations.ConversationFixtures.config;
import static dev.veil.server.conversations.ConversationFixtures.newKeys;
import static dev.veil.server.conversations.ConversationFixtures.turn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import dev.veil.server.audit.AuditKeys;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ResponsesConfig;
import dev.veil.server.testing.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the endpoint sees of stored responses: kept, read back, per tenant, deleted, expired. */
class ConversationsTest {
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

    @Test
    void aStoredResponseReadsBackAsItWasStored() {
        StoredResponse stored = turn("resp_1", TENANT_A, Optional.of("resp_0"), clock.instant(), false);
        conversations.put(stored);

        StoredResponse read = conversations.get(TENANT_A, "resp_1").orElseThrow();

        assertThat(read.id()).isEqualTo("resp_1");
        assertThat(read.tenant()).isEqualTo(TENANT_A);
        assertThat(read.previousId()).contains("resp_0");
        assertThat(read.createdAt()).isEqualTo(stored.createdAt());
        assertThat(read.expiresAt()).isEqualTo(stored.expiresAt());
        assertThat(read.model()).isEqualTo("gpt-4o");
        assertThat(read.inputItems()).isEqualTo(stored.inputItems());
        assertThat(read.response()).isEqualTo(stored.response());
        assertThat(read.pseudonyms()).containsExactly(java.util.Map.entry("<PERSON_1>", NAME),
                java.util.Map.entry("<EMAIL_1>", EMAIL));
        assertThat(read.zeroRetention()).isFalse();
    }

    @Test
    void aStoredResponseIsOnDisk() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(conversations.persistent()).isTrue();
        assertThat(dataDir.resolve("responses.db")).exists();
    }

    @Test
    void anotherTenantDoesNotSeeAResponse() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(conversations.get(TENANT_B, "resp_1")).isEmpty();
    }

    @Test
    void anotherTenantCannotDeleteAResponse() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(conversations.delete(TENANT_B, "resp_1")).isFalse();
        assertThat(conversations.get(TENANT_A, "resp_1")).isPresent();
    }

    @Test
    void anotherTenantCannotOverwriteAResponseById() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThatThrownBy(() -> conversations.put(turn("resp_1", TENANT_B, Optional.empty(), clock.instant(),
                false))).isInstanceOf(IllegalStateException.class);
        assertThat(conversations.get(TENANT_A, "resp_1")).isPresent();
        assertThat(conversations.get(TENANT_B, "resp_1")).isEmpty();
    }

    @Test
    void aDeletedResponseIsGone() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(conversations.delete(TENANT_A, "resp_1")).isTrue();
        assertThat(conversations.get(TENANT_A, "resp_1")).isEmpty();
        assertThat(conversations.delete(TENANT_A, "resp_1")).isFalse();
    }

    @Test
    void anExpiredResponseIsNotReturnedBeforeTheSweep() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));
        clock.advance(ConversationFixtures.TTL.minusSeconds(1));
        assertThat(conversations.get(TENANT_A, "resp_1")).isPresent();

        clock.advance(Duration.ofSeconds(1));

        assertThat(conversations.get(TENANT_A, "resp_1")).isEmpty();
        assertThat(conversations.delete(TENANT_A, "resp_1")).isFalse();
    }

    @Test
    void aZeroRetentionResponseReadsBackFromMemory() {
        StoredResponse stored = turn("resp_zr", TENANT_A, Optional.empty(), clock.instant(), true);
        conversations.put(stored);

        StoredResponse read = conversations.get(TENANT_A, "resp_zr").orElseThrow();

        assertThat(read.zeroRetention()).isTrue();
        assertThat(read.response()).isEqualTo(stored.response());
        assertThat(conversations.get(TENANT_B, "resp_zr")).isEmpty();
    }

    @Test
    void aZeroRetentionResponseExpiresAfterTheMemoryTtl() {
        conversations.put(turn("resp_zr", TENANT_A, Optional.empty(), clock.instant(), true));

        clock.advance(ResponsesConfig.DEFAULT_MEMORY_TTL);

        assertThat(conversations.get(TENANT_A, "resp_zr")).isEmpty();
    }

    @Test
    void aZeroRetentionResponseCanBeDeleted() {
        conversations.put(turn("resp_zr", TENANT_A, Optional.empty(), clock.instant(), true));

        assertThat(conversations.delete(TENANT_B, "resp_zr")).isFalse();
        assertThat(conversations.delete(TENANT_A, "resp_zr")).isTrue();
        assertThat(conversations.get(TENANT_A, "resp_zr")).isEmpty();
    }

    @Test
    void expiryIsTheTtlOnDiskAndTheMemoryTtlUnderZeroRetention() {
        assertThat(conversations.expiresAt(clock.instant(), false)).isEqualTo(clock.instant().plus(
                ResponsesConfig.DEFAULT_TTL));
        assertThat(conversations.expiresAt(clock.instant(), true)).isEqualTo(clock.instant().plus(
                ResponsesConfig.DEFAULT_MEMORY_TTL));
    }

    @Test
    void aResponseSurvivesARestart() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));
        conversations.close();

        conversations = Conversations.open(config(dataDir), clock.clocks(), Optional.of(keys));

        assertThat(conversations.get(TENANT_A, "resp_1").orElseThrow().response())
                .asString(StandardCharsets.UTF_8).contains(NAME);
    }

    @Test
    void aFileWrittenUnderAnotherAuditKeyStopsStartWithTheFix() {
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));
        conversations.close();

        assertThatThrownBy(() -> conversations = Conversations.open(config(dataDir), clock.clocks(),
                Optional.of(newKeys())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.responses.file: ")
                .hasMessageContaining("another audit key")
                .hasMessageContaining("move the file away");
        conversations = Conversations.open(config(dataDir), clock.clocks(), Optional.of(keys));
    }

    @Test
    void withoutAnAuditKeyStateIsKeptInMemoryAndNoFileIsWritten() throws Exception {
        conversations.close();
        Path empty = Files.createDirectory(dataDir.resolve("no-audit"));
        conversations = Conversations.open(config(empty), clock.clocks(), Optional.empty());

        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(conversations.get(TENANT_A, "resp_1")).isPresent();
        assertThat(conversations.persistent()).isFalse();
        assertThat(conversations.describe()).contains("in memory only").contains("veil.audit is not set");
        assertThat(empty).isEmptyDirectory();
    }

    @Test
    void disabledStateKeepsNothing() {
        conversations.close();
        ResponsesConfig defaults = config(dataDir.resolve("disabled"));
        conversations = Conversations.open(new ResponsesConfig(false, defaults.ttl(), defaults.database(),
                defaults.memoryTtl(), defaults.maxMemoryBytes(), defaults.maxTurns(), defaults.sweepInterval(),
                defaults.maxConversationBytes()),
                clock.clocks(), Optional.of(keys));

        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));

        assertThat(conversations.get(TENANT_A, "resp_1")).isEmpty();
        assertThat(dataDir.resolve("disabled")).doesNotExist();
    }
}
