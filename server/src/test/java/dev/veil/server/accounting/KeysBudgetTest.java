package dev.veil.server.accounting;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysBudgetTest {
    /** What the fake charges for "Hello" at the test's price: 4 prompt and 1 completion token. */
    private static final long HELLO_MICROS = 4 * KeysFixture.INPUT_MICROS_PER_TOKEN
            + KeysFixture.OUTPUT_MICROS_PER_TOKEN;

    @TempDir
    Path dataDir;
    private KeysFixture veil;

    @BeforeEach
    void start() throws Exception {
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, "");
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
    }

    @Test
    void aBudgetExhaustedMidDayRefusesTheNextRequestWithA429() throws Exception {
        String key = veil.createKey("""
                {"tenant": "acme", "budget": {"limit_usd": %s, "period": "day"}}"""
                .formatted(KeysFixture.usd(HELLO_MICROS + HELLO_MICROS / 2))).path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);

        HttpResponse<String> refused = veil.chat(key, "smart", "Hello");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(veil.json(refused).at("/error/code").asText()).isEqualTo("budget_exceeded");
        assertThat(veil.json(refused).at("/error/message").asText()).contains("per day");
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
    }

    @Test
    void anExhaustedDailyBudgetAdmitsRequestsAgainTheNextDay() throws Exception {
        String key = veil.createKey("""
                {"tenant": "acme", "budget": {"limit_usd": %s, "period": "day"}}"""
                .formatted(KeysFixture.usd(HELLO_MICROS / 2))).path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(429);

        veil.clock.advance(Duration.ofDays(1));

        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @Test
    void aTeamBudgetCapsEveryKeyOfTheTeam() throws Exception {
        assertThat(veil.veil.post("/admin/teams", """
                {"tenant": "acme", "name": "support", "budget": {"limit_usd": %s, "period": "month"}}"""
                .formatted(KeysFixture.usd(HELLO_MICROS / 2))).statusCode()).isEqualTo(201);
        String first = veil.createKey("{\"tenant\": \"acme\", \"team\": \"support\"}").path("key").asText();
        String second = veil.createKey("{\"tenant\": \"acme\", \"team\": \"support\"}").path("key").asText();
        assertThat(veil.chat(first, "smart", "Hello").statusCode()).isEqualTo(200);

        HttpResponse<String> refused = veil.chat(second, "smart", "Hello");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(veil.json(refused).at("/error/message").asText()).contains("team 'support'");
    }

    @Test
    void fiftyConcurrentRequestsAgainstANearlySpentCapOverspendByAtMostOneRequest() throws Exception {
        long limit = HELLO_MICROS * 3 / 2;
        JsonNode created = veil.createKey("""
                {"tenant": "acme", "budget": {"limit_usd": %s, "period": "day"}}"""
                .formatted(KeysFixture.usd(limit)));
        String key = created.path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);

        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(() -> veil.chat(key, "smart", "Hello").statusCode());
        }
        List<Integer> statuses = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Integer> status : pool.invokeAll(calls)) {
                statuses.add(status.get());
            }
        }

        assertThat(statuses).contains(429).allMatch(status -> status == 200 || status == 429);
        BigDecimal spent = veil.json(veil.veil.get("/admin/usage?key=" + created.path("id").asText()))
                .path("total_cost_usd").decimalValue();
        assertThat(spent).isLessThanOrEqualTo(new BigDecimal(KeysFixture.usd(limit + HELLO_MICROS)));
    }

    @Test
    void theSoftThresholdPostsOneWebhookAlertPerPeriod() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            veil.close();
            veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, """
                      alerts: {webhook-url: "%s", timeout: 2s}
                    """.formatted(receiver.url()));
            String key = veil.createKey("""
                    {"tenant": "acme", "budget": {"soft_usd": %s, "limit_usd": 100, "period": "month"}}"""
                    .formatted(KeysFixture.usd(HELLO_MICROS))).path("key").asText();
            for (int i = 0; i < 4; i++) {
                assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
            }

            JsonNode alert = KeysFixture.JSON.readTree(receiver.await());
            assertThat(alert.path("type").asText()).isEqualTo("budget.soft_threshold");
            assertThat(alert.path("scope").asText()).isEqualTo("key");
            veil.restart();
            assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
            // An alert goes out on a thread of its own: none may arrive while the sender would have sent it.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(receiver.count()).isEqualTo(1));
        }
    }

    @Test
    void budgetsListTheirSpendInTheCurrentPeriod() throws Exception {
        JsonNode created = veil.createKey("""
                {"tenant": "acme", "budget": {"limit_usd": 1, "period": "day"}}""");
        veil.chat(created.path("key").asText(), "smart", "Hello");

        JsonNode budgets = veil.json(veil.veil.get("/admin/budgets"));

        assertThat(budgets.path("data")).hasSize(1);
        assertThat(budgets.path("data").get(0).path("spent_usd").decimalValue())
                .isEqualByComparingTo(KeysFixture.usd(HELLO_MICROS));
    }
}
