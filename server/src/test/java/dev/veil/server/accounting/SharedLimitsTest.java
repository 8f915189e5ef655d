package dev.veil.server.accounting;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.PostgresProcess;
import dev.veil.server.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas on one PostgreSQL and one Redis (real ones): rate limits, budgets, key changes and spend are the same
 * on both, as if there were one Veil.
 */
class SharedLimitsTest {
    /** What the fake charges for "Hello" at the fixture's price: 4 prompt and 1 completion token. */
    private static final long HELLO_MICROS = 4 * KeysFixture.INPUT_MICROS_PER_TOKEN
            + KeysFixture.OUTPUT_MICROS_PER_TOKEN;

    private static PostgresProcess postgres;
    private static RedisProcess redis;

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;
    private KeysFixture a;
    private KeysFixture b;

    @BeforeAll
    static void startStores() throws Exception {
        postgres = PostgresProcess.start();
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopStores() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void startReplicas() throws Exception {
        String shared = sharedYaml(postgres, postgres.createDatabase(), redis, "closed");
        a = new KeysFixture(new FakeOpenAiUpstream(), dirA, shared);
        b = new KeysFixture(new FakeOpenAiUpstream(), dirB, shared);
    }

    @AfterEach
    void stopReplicas() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** The store and shared-limits lines of a replica's config. */
    static String sharedYaml(PostgresProcess postgres, String database, RedisProcess redis, String failMode) {
        return postgres.storeYaml(database) + """
                  limits:
                    shared:
                      kind: redis
                      url: "%s"
                      password: "%s"
                      fail-mode: %s
                      timeout: 300ms
                """.formatted(redis.url(), RedisProcess.PASSWORD, failMode);
    }

    @Test
    void aKeysRequestsPerMinuteAreCountedAcrossReplicas() throws Exception {
        String key = a.createKey("{\"tenant\": \"rpm\", \"limits\": {\"rpm\": 4}}").path("key").asText();
        awaitKnown(b, key);

        List<KeysFixture> order = List.of(a, b, a, b);
        for (KeysFixture replica : order) {
            assertThat(replica.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> refusedA = a.chat(key, "smart", "Hello");
        HttpResponse<String> refusedB = b.chat(key, "smart", "Hello");

        assertThat(refusedA.statusCode()).isEqualTo(429);
        assertThat(refusedB.statusCode()).isEqualTo(429);
        assertThat(a.json(refusedB).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(refusedB.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        assertThat(refusedB.headers().firstValue("retry-after")).isPresent();
    }

    @Test
    void theRemainingRequestsHeaderCountsBothReplicasRequests() throws Exception {
        String key = a.createKey("{\"tenant\": \"headers\", \"limits\": {\"rpm\": 10}}").path("key").asText();
        awaitKnown(b, key);

        a.chat(key, "smart", "Hello");
        HttpResponse<String> second = b.chat(key, "smart", "Hello");

        assertThat(second.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("8");
    }

    @Test
    void aBudgetIsSpentOnceAcrossReplicasAndCapsBoth() throws Exception {
        String key = a.createKey("""
                {"tenant": "budget", "budget": {"limit_usd": %s, "period": "day"}}"""
                .formatted(KeysFixture.usd(3 * HELLO_MICROS + HELLO_MICROS / 2))).path("key").asText();
        awaitKnown(b, key);

        int served = 0;
        for (KeysFixture replica : List.of(a, b, a, b)) {
            if (replica.chat(key, "smart", "Hello").statusCode() == 200) {
                served++;
            }
            // Settled before the next request: a reservation (the estimate, above the cost) otherwise lingers for
            // the round trip that settles it, and the next request, on either replica, may meet it.
            replica.veil.get("/admin/budgets");
        }
        HttpResponse<String> refused = b.chat(key, "smart", "Hello");

        assertThat(served).isEqualTo(4);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(b.json(refused).at("/error/code").asText()).isEqualTo("budget_exceeded");
        awaitSpent(b, 4 * HELLO_MICROS);
    }

    @Test
    void everyReplicaReportsTheBudgetAsRedisCountsIt() throws Exception {
        String key = a.createKey("""
                {"tenant": "report", "budget": {"limit_usd": 10, "period": "month"}}""").path("key").asText();
        awaitKnown(b, key);
        a.chat(key, "smart", "Hello");
        b.chat(key, "smart", "Hello");

        awaitSpent(a, 2 * HELLO_MICROS);
        awaitSpent(b, 2 * HELLO_MICROS);
    }

    /**
     * Waits for {@code replica} to report the budget's spend as {@code micros}: each replica settles after its answer
     * is out, so a listing on one replica right after an answer from the other may come a round trip early.
     */
    private static void awaitSpent(KeysFixture replica, long micros) {
        await("the budget's spend as every replica reports it").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20)).until(() -> replica.json(replica.veil.get("/admin/budgets"))
                        .path("data").get(0).path("spent_usd").decimalValue()
                        .compareTo(new java.math.BigDecimal(KeysFixture.usd(micros))) == 0);
    }

    @Test
    void spendSettledOnEveryReplicaReachesTheStoreOnce() throws Exception {
        String key = a.createKey("{\"tenant\": \"spend\"}").path("key").asText();
        awaitKnown(b, key);
        long expected = 0;
        for (KeysFixture replica : List.of(a, b, a, b, b)) {
            HttpResponse<String> answer = replica.chat(key, "smart", "Hello");
            expected += KeysFixture.expectedMicros(replica.json(answer));
        }

        // Replica A's report waits for A's settlements; B's reach Redis a round trip after B's answers.
        JsonNode usage = await("every replica's spend recorded").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20)).until(() -> a.json(a.veil.get("/admin/usage?tenant=spend")),
                        report -> report.path("total_requests").asLong() >= 5);

        assertThat(usage.path("total_requests").asLong()).isEqualTo(5);
        assertThat(usage.path("total_cost_usd").decimalValue()).isEqualByComparingTo(KeysFixture.usd(expected));
    }

    @Test
    void aKeyRevokedOnOneReplicaIsRefusedByTheOtherWithinASecond() throws Exception {
        String key = a.createKey("{\"tenant\": \"revoke\"}").path("key").asText();
        awaitKnown(b, key);
        String id = key.substring("vk-".length(), "vk-".length() + 16);

        assertThat(a.veil.post("/admin/keys/" + id + "/revoke", "{}").statusCode()).isLessThan(300);

        await("replica B refuses the revoked key").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> b.chat(key, "smart", "Hello").statusCode() == 401);
    }

    @Test
    void aKeyRotatedOnOneReplicaWorksWithItsNewSecretOnTheOtherWithinASecond() throws Exception {
        String key = a.createKey("{\"tenant\": \"rotate\"}").path("key").asText();
        awaitKnown(b, key);
        String id = key.substring("vk-".length(), "vk-".length() + 16);

        HttpResponse<String> rotated = a.veil.post("/admin/keys/" + id + "/rotate", "{}");
        String newKey = a.json(rotated).path("key").asText();

        await("replica B takes the new secret").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> b.chat(newKey, "smart", "Hello").statusCode() == 200);
        assertThat(b.chat(key, "smart", "Hello").statusCode()).isEqualTo(401);
    }

    @Test
    void aBudgetSetOnOneReplicaCapsTheOtherWithinASecond() throws Exception {
        String key = a.createKey("{\"tenant\": \"late-budget\"}").path("key").asText();
        awaitKnown(b, key);
        assertThat(a.veil.post("/admin/budgets", """
                {"scope": "tenant", "tenant": "late-budget", "limit_usd": %s, "period": "day"}"""
                .formatted(KeysFixture.usd(HELLO_MICROS / 2))).statusCode()).isLessThan(300);

        await("replica B applies the budget").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> b.json(b.veil.get("/admin/budgets")).path("data").size() == 1);
        assertThat(b.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(b.chat(key, "smart", "Hello").statusCode()).isEqualTo(429);
    }

    /** A key created on one replica reaches the other by the same announcement as a revocation. */
    private static void awaitKnown(KeysFixture replica, String key) {
        await("the other replica knows the new key").atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20)).until(() -> replica.get(key, "/v1/models").statusCode() == 200);
    }
}
