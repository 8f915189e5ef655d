package dev.veil.server.accounting;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.PostgresProcess;
import dev.veil.server.testing.RedisProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared limits' Redis going away while Veil runs, and coming back empty. */
class SharedLimitsOutageTest {
    @TempDir
    Path dataDir;
    private PostgresProcess postgres;
    private RedisProcess redis;
    private KeysFixture veil;

    @BeforeEach
    void startStores() throws Exception {
        postgres = PostgresProcess.start();
        redis = RedisProcess.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private void startVeil(String failMode) throws Exception {
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir,
                SharedLimitsTest.sharedYaml(postgres, postgres.createDatabase(), redis, failMode));
    }

    @Test
    void withRedisDownLimitedKeysAreRefusedWithA503AndUnlimitedKeysServed() throws Exception {
        startVeil("closed");
        String limited = veil.createKey("{\"tenant\": \"acme\", \"limits\": {\"rpm\": 100}}").path("key").asText();
        String unlimited = veil.createKey("{\"tenant\": \"acme\"}").path("key").asText();

        redis.stop();
        HttpResponse<String> refused = veil.chat(limited, "smart", "Hello");
        HttpResponse<String> served = veil.chat(unlimited, "smart", "Hello");

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(veil.json(refused).at("/error/code").asText()).isEqualTo("limits_unavailable");
        assertThat(refused.body()).doesNotContain(RedisProcess.PASSWORD);
        assertThat(served.statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyWithABudgetIsRefusedWhileRedisIsDown() throws Exception {
        startVeil("closed");
        String key = veil.createKey("""
                {"tenant": "acme", "budget": {"limit_usd": 5, "period": "day"}}""").path("key").asText();

        redis.stop();

        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(503);
    }

    @Test
    void limitedKeysAreServedAgainOnceRedisIsBackWithoutARestart() throws Exception {
        startVeil("closed");
        String key = veil.createKey("{\"tenant\": \"acme\", \"limits\": {\"rpm\": 100}}").path("key").asText();
        redis.stop();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(503);

        redis.restart();

        await("limited key served again").atMost(Duration.ofSeconds(10))
                .until(() -> veil.chat(key, "smart", "Hello").statusCode() == 200);
    }

    @Test
    void aBudgetRedisLostIsReadAgainFromTheStore() throws Exception {
        startVeil("closed");
        long hello = 4 * KeysFixture.INPUT_MICROS_PER_TOKEN + KeysFixture.OUTPUT_MICROS_PER_TOKEN;
        String key = veil.createKey("""
                {"tenant": "acme", "budget": {"limit_usd": %s, "period": "day"}}"""
                .formatted(KeysFixture.usd(2 * hello + hello / 2))).path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        // The budget listing waits for the settlement, which replaces the first request's reservation (its estimate,
        // larger than its cost) by the cost: without it the second request could meet the reservation still held.
        veil.veil.get("/admin/budgets");
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.json(veil.veil.get("/admin/usage")).path("total_requests").asLong()).isEqualTo(2);

        redis.stop();
        redis.restart();

        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(429);
    }

    @Test
    void failOpenLimitsEachReplicaAloneWhileRedisIsDown() throws Exception {
        startVeil("open");
        String key = veil.createKey("{\"tenant\": \"acme\", \"limits\": {\"rpm\": 2}}").path("key").asText();

        redis.stop();

        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(429);
    }

    @Test
    void spendSettledWhileRedisIsDownIsRecordedOnce() throws Exception {
        startVeil("closed");
        String key = veil.createKey("{\"tenant\": \"acme\"}").path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        // Moved into the database before Redis goes: a Redis without persistence loses what it still holds.
        assertThat(veil.json(veil.veil.get("/admin/usage")).path("total_requests").asLong()).isEqualTo(1);

        redis.stop();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        redis.restart();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);

        await("all three requests recorded").atMost(Duration.ofSeconds(10)).until(() ->
                veil.json(veil.veil.get("/admin/usage")).path("total_requests").asLong() == 3);
    }
}
