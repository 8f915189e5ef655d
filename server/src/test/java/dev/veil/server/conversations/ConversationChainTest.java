package dev.veil.server.conversations;

import static dev.veil.server.conversations.ConversationFixtures.NAME;
import static dev.veil.server.conversations.ConversationFixtures.TENANT_A;
import static dev.veil.server.conversations.ConversationFixtures.TENANT_B;
import static dev.veil.server.conversations.ConversationFixtures.config;
import static dev.veil.server.conversations.ConversationFixtures.newKeys;
import static dev.veil.server.conversations.ConversationFixtures.turn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;

import dev.veil.server.config.ResponsesConfig;
import dev.veil.server.testing.FakeClock;
import dev.veil.spi.VeilException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following {@code previous_response_id} back to the first turn. */
class ConversationChainTest {
    @TempDir
    Path dataDir;
    private final FakeClock clock = new FakeClock();
    private Conversations conversations;

    @BeforeEach
    void open() {
        conversations = Conversations.open(config(dataDir), clock.clocks(), Optional.of(newKeys()));
        conversations.put(turn("resp_1", TENANT_A, Optional.empty(), clock.instant(), false));
        conversations.put(turn("resp_2", TENANT_A, Optional.of("resp_1"), clock.instant(), false));
        conversations.put(turn("resp_3", TENANT_A, Optional.of("resp_2"), clock.instant(), false));
    }

    @AfterEach
    void close() {
        conversations.close();
    }

    @Test
    void aChainIsReturnedOldestFirst() {
        assertThat(conversations.chain(TENANT_A, "resp_3")).extracting(StoredResponse::id)
                .containsExactly("resp_1", "resp_2", "resp_3");
    }

    @Test
    void aChainRunsThroughZeroRetentionTurnsInMemory() {
        conversations.put(turn("resp_4", TENANT_A, Optional.of("resp_3"), clock.instant(), true));
        conversations.put(turn("resp_5", TENANT_A, Optional.of("resp_4"), clock.instant(), false));

        assertThat(conversations.chain(TENANT_A, "resp_5")).extracting(StoredResponse::id)
                .containsExactly("resp_1", "resp_2", "resp_3", "resp_4", "resp_5");
    }

    @Test
    void anUnknownPreviousResponseIsNotFoundNamingTheId() {
        assertThatThrownBy(() -> conversations.chain(TENANT_A, "resp_nope"))
                .isInstanceOfSatisfying(VeilException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.param()).contains("previous_response_id");
                    assertThat(e.code()).contains("previous_response_not_found");
                })
                .hasMessage("Previous response with id 'resp_nope' not found.");
    }

    @Test
    void aMissingLinkIsNotFoundNamingTheMissingIdAndNoContent() {
        conversations.delete(TENANT_A, "resp_2");

        assertThatThrownBy(() -> conversations.chain(TENANT_A, "resp_3"))
                .isInstanceOfSatisfying(VeilException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.param()).contains("previous_response_id");
                })
                .hasMessageContaining("'resp_3'")
                .hasMessageContaining("'resp_2'")
                .hasMessageNotContaining(NAME);
    }

    @Test
    void anotherTenantsChainIsNotFound() {
        assertThatThrownBy(() -> conversations.chain(TENANT_B, "resp_3"))
                .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void aChainLongerThanTheLimitIsRefused() {
        assertThatThrownBy(() -> conversations.chain(TENANT_A, "resp_3", 2))
                .isInstanceOfSatisfying(VeilException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).contains("previous_response_id");
                })
                .hasMessageContaining("more than 2 turns");
    }

    @Test
    void aChainHoldingMoreBytesThanTheLimitIsRefused() {
        conversations.close();
        ResponsesConfig defaults = config(dataDir);
        conversations = Conversations.open(new ResponsesConfig(true, defaults.ttl(), dataDir.resolve("small.db"),
                defaults.memoryTtl(), defaults.maxMemoryBytes(), defaults.maxTurns(), defaults.sweepInterval(),
                1024), clock.clocks(), Optional.of(newKeys()));
        for (int i = 1; i <= 6; i++) {
            conversations.put(turn("resp_" + i, TENANT_A, i == 1 ? Optional.empty() : Optional.of("resp_" + (i - 1)),
                    clock.instant(), false));
        }

        assertThatThrownBy(() -> conversations.chain(TENANT_A, "resp_6"))
                .isInstanceOfSatisfying(VeilException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).contains("previous_response_id");
                })
                .hasMessageContaining("max-conversation-bytes");
        assertThat(conversations.chain(TENANT_A, "resp_2")).hasSize(2);
    }

    @Test
    void aChainAsLongAsTheLimitIsReturned() {
        assertThat(conversations.chain(TENANT_A, "resp_3", 3)).hasSize(3);
    }
}
