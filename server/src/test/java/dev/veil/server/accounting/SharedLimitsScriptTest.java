package dev.veil.server.accounting;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.veil.server.config.Secret;
import dev.veil.server.config.SharedLimitsConfig;
import dev.veil.server.testing.RedisProcess;
import dev.veil.spi.Usage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admission and settlement scripts on a real Redis, one guarantee each. */
class SharedLimitsScriptTest {
    private static RedisProcess redis;
    private static SharedLimits limits;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisProcess.start();
        limits = SharedLimits.open(new SharedLimitsConfig(URI.create(redis.url()),
                Optional.of(new Secret(RedisProcess.PASSWORD)), SharedLimitsConfig.FailMode.CLOSED,
                Duration.ofSeconds(2), Duration.ofSeconds(1), 4));
    }

    @AfterAll
    static void stop() throws Exception {
        limits.close();
        redis.close();
    }

    private static final SharedLimits.Window NO_USER = SharedLimits.Window.user("user:t/", 0, 0);

    private static SharedLimits.Window window(String keyId, long rpm, long tpm) {
        return SharedLimits.Window.key(keyId, rpm, tpm);
    }

    private static SharedLimits.Budget budget(String scope, long limit, long estimate) {
        return new SharedLimits.Budget(scope, "2026-12-08", limit, estimate, 3600);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static Map<String, String> entry(String key, long cost) {
        return SpendStream.entry(new SpendLedger.Row(LocalDate.parse("2026-12-08"), key, "t", "t", "", "p/m"),
                Usage.of(1, 1), cost);
    }

    @Test
    void aBudgetRedisDoesNotHoldIsReadThroughTheSpendReaderOnce() {
        String scope = "key:" + id();
        int[] reads = {0};

        limits.admit(id(), window("k", 0, 0), NO_USER, 10, List.of(budget(scope, 1000, 10)), b -> {
            reads[0]++;
            return 700;
        });
        limits.admit(id(), window("k", 0, 0), NO_USER, 10, List.of(budget(scope, 1000, 10)), b -> {
            reads[0]++;
            return 0;
        });

        assertThat(reads[0]).isEqualTo(1);
        assertThat(limits.status(scope, "2026-12-08")).hasValueSatisfying(s -> assertThat(s).containsExactly(700, 20));
    }

    @Test
    void aRetriedAdmissionReservesOnce() {
        String scope = "key:" + id();
        String reservation = id();

        limits.admit(reservation, window("k", 0, 0), NO_USER, 10, List.of(budget(scope, 1000, 50)), b -> 0);
        limits.admit(reservation, window("k", 0, 0), NO_USER, 10, List.of(budget(scope, 1000, 50)), b -> 0);

        assertThat(limits.status(scope, "2026-12-08")).hasValueSatisfying(s -> assertThat(s).containsExactly(0, 50));
    }

    @Test
    void aRetriedSettlementCountsOnce() {
        String scope = "key:" + id();
        String reservation = id();
        String key = id();
        limits.admit(reservation, window(key, 0, 0), NO_USER, 10, List.of(budget(scope, 1000, 50)), b -> 0);

        limits.settle(reservation, window(key, 0, 0), NO_USER, 10, 2, List.of(budget(scope, 1000, 50)), 30,
                entry(key, 30));
        long[] again = limits.settle(reservation, window(key, 0, 0), NO_USER, 10, 2,
                List.of(budget(scope, 1000, 50)), 30, entry(key, 30));

        assertThat(again).containsExactly(-1);
        assertThat(limits.status(scope, "2026-12-08")).hasValueSatisfying(s -> assertThat(s).containsExactly(30, 0));
        assertThat(limits.spendAfter("0-0", 10_000)).filteredOn(e -> e.getFields().get("key").equals(key)).hasSize(1);
    }

    @Test
    void aRefusedBudgetReservesNothingAnywhere() {
        String open = "tenant:" + id();
        String full = "key:" + id();
        limits.admit(id(), window("k", 0, 0), NO_USER, 10, List.of(budget(full, 100, 100)), b -> 0);

        SharedLimits.Admission refused = limits.admit(id(), window("k", 0, 0), NO_USER, 10,
                List.of(budget(open, 1000, 100), budget(full, 100, 100)), b -> 0);

        assertThat(refused.refused()).isEqualTo("budget");
        assertThat(refused.budgetIndex()).isEqualTo(1);
        assertThat(limits.status(open, "2026-12-08")).hasValueSatisfying(s -> assertThat(s).containsExactly(0, 0));
    }

    @Test
    void aReservationNobodySettlesIsReleasedWhenItsLeaseEnds() {
        String scope = "key:" + id();
        limits.admit(id(), window("k", 0, 0), NO_USER, 10, List.of(budget(scope, 100, 100)), b -> 0);
        assertThat(limits.admit(id(), window("k", 0, 0), NO_USER, 10, List.of(budget(scope, 100, 100)), b -> 0)
                .refused()).isEqualTo("budget");

        await("the lease of one second ends").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> limits.admit(id(), window("k", 0, 0), NO_USER, 10, List.of(budget(scope, 100, 100)),
                        b -> 0).refused() == null);
    }

    @Test
    void theRequestLimitCountsAdmissionsNotSettlements() {
        String key = id();
        for (int i = 0; i < 3; i++) {
            String reservation = id();
            assertThat(limits.admit(reservation, window(key, 3, 0), NO_USER, 10, List.of(), b -> 0).refused()).isNull();
            limits.settle(reservation, window(key, 0, 0), NO_USER, 10, 4, List.of(), 0, entry(key, 0));
        }

        SharedLimits.Admission fourth = limits.admit(id(), window(key, 3, 0), NO_USER, 10, List.of(), b -> 0);

        assertThat(fourth.refused()).isEqualTo("requests");
        assertThat(fourth.resetMillis()).isBetween(1L, 60_000L);
    }

    @Test
    void theTokenLimitCountsActualUsageOnceSettled() {
        String key = id();
        String first = id();
        limits.admit(first, window(key, 0, 100), NO_USER, 100, List.of(), b -> 0);
        assertThat(limits.admit(id(), window(key, 0, 100), NO_USER, 5, List.of(), b -> 0).refused())
                .isEqualTo("tokens");

        limits.settle(first, window(key, 0, 0), NO_USER, 100, 20, List.of(), 0, entry(key, 0));

        assertThat(limits.admit(id(), window(key, 0, 100), NO_USER, 5, List.of(), b -> 0).refused()).isNull();
    }
}
