package dev.veil.server.accounting;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.ErrorShape;
import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalIssuer;
import dev.veil.server.testing.PostgresProcess;
import dev.veil.server.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The user behind a token as a dimension of metering, through the real server with tokens of an issuer the test
 * runs: usage rows name the user and filter by it, and a user's budget and rate window refuse that user only. Each
 * runs on the embedded SQLite store, on a real PostgreSQL, and on PostgreSQL with the limits in a real Redis.
 */
class UserMeteringTest {
    private static PostgresProcess postgres;
    private static RedisProcess redis;
    private static LocalIssuer issuer;

    @TempDir
    Path dataDir;
    private KeysFixture veil;
    /** A tenant of this test's own: Redis, shared by the tests, then holds no window or budget of another's. */
    private final String tenant = "bank-" + java.util.UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresProcess.start();
        redis = RedisProcess.start();
        issuer = LocalIssuer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (issuer != null) {
            issuer.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void stopVeil() throws Exception {
        if (veil != null) {
            veil.close();
        }
    }

    /** Veil on {@code store} ({@code sqlite}, {@code postgres} or {@code redis}), trusting the issuer. */
    private KeysFixture veil(String store, String userLimits) throws Exception {
        String storeYaml = switch (store) {
            case "sqlite" -> "";
            case "postgres" -> postgres.storeYaml(postgres.createDatabase());
            default -> SharedLimitsTest.sharedYaml(postgres, postgres.createDatabase(), redis, "closed");
        };
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, storeYaml + """
                  auth:
                    jwt:
                      - issuer: "%s"
                        audience: veil
                        jwks-url: "%s"
                        claims: {tenant: org, team: groups}
                %s""".formatted(issuer.issuer(), issuer.jwksUrl(), userLimits.isEmpty() ? ""
                : "        user-limits: " + userLimits + "\n"));
        return veil;
    }

    /** A token for {@code user} of this test's tenant, group risk, valid around Veil's own (test) clock. */
    private String token(String user) {
        return issuer.sign(issuer.claims(user).claim("org", tenant).claim("groups", List.of("/risk"))
                .issueTime(Date.from(FakeClock.START)).notBeforeTime(Date.from(FakeClock.START.minusSeconds(5)))
                .expirationTime(Date.from(FakeClock.START.plusSeconds(3600))).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres", "redis"})
    void usageNamesTheUserOfEachRowAndFiltersByIt(String store) throws Exception {
        KeysFixture veil = veil(store, "");
        assertThat(veil.chat(token("ana"), "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.chat(token("ana"), "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.chat(token("bo"), "smart", "Hello").statusCode()).isEqualTo(200);

        JsonNode all = await("every settlement in usage").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> veil.json(veil.veil.get("/admin/usage?tenant=" + tenant)),
                        usage -> usage.path("total_requests").asLong() >= 3);
        JsonNode ana = veil.json(veil.veil.get("/admin/usage?user=ana&tenant=" + tenant));

        assertThat(all.path("data")).extracting(row -> row.path("user").asText() + " " + row.path("tenant").asText()
                + " " + row.path("team").asText() + " " + row.path("key_id").asText() + " "
                + row.path("requests").asLong()).containsExactly("ana " + tenant + " risk jwt 2",
                "bo " + tenant + " risk jwt 1");
        assertThat(ana.path("data")).hasSize(1);
        assertThat(ana.path("total_requests").asLong()).isEqualTo(2);
        assertThat(veil.veil.get("/admin/usage?format=csv&tenant=" + tenant).body())
                .startsWith("day,key_id,tenant,team,user,model,").contains(",jwt," + tenant + ",risk,ana,");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "redis"})
    void aUserBudgetRefusesThatUsersNextRequestAndNotAnotherUsers(String store) throws Exception {
        KeysFixture veil = veil(store, "");
        HttpResponse<String> set = veil.veil.post("/admin/budgets", """
                {"scope": "user", "tenant": "%s", "user": "ana", "limit_usd": 0.000001, "period": "day"}"""
                .formatted(tenant));
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(veil.json(set).path("user").asText()).isEqualTo("ana");

        assertThat(veil.chat(token("ana"), "smart", "Hello").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = veil.chat(token("ana"), "smart", "Hello");

        assertThat(refused.statusCode()).isEqualTo(429);
        JsonNode error = ErrorShape.openAi(refused.body());
        assertThat(error.path("code").asText()).isEqualTo("budget_exceeded");
        assertThat(error.path("message").asText()).contains("user 'ana' of tenant '" + tenant + "'");
        assertThat(veil.chat(token("bo"), "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "redis"})
    void aUsersRequestsPerMinuteRefuseThatUsersNextRequestAndNotAnotherUsers(String store) throws Exception {
        KeysFixture veil = veil(store, "{rpm: 2}");
        String ana = token("ana");

        assertThat(veil.chat(ana, "smart", "Hello").statusCode()).isEqualTo(200);
        HttpResponse<String> second = veil.chat(ana, "smart", "Hello");
        HttpResponse<String> refused = veil.chat(ana, "smart", "Hello");

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("x-ratelimit-limit-requests")).hasValue("2");
        assertThat(second.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        JsonNode error = ErrorShape.openAi(refused.body());
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asText()).contains("user 'ana' of tenant '" + tenant + "'")
                .contains("2 requests").doesNotContain(ana);
        assertThat(veil.chat(token("bo"), "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "redis"})
    void aUsersTokensPerMinuteRefuseThatUserOnceSpent(String store) throws Exception {
        KeysFixture veil = veil(store, "{tpm: 5}");

        assertThat(veil.chat(token("ana"), "smart", "Hello").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = veil.chat(token("ana"), "smart", "Hello");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(ErrorShape.openAi(refused.body()).path("message").asText()).contains("5 tokens");
        assertThat(veil.chat(token("bo"), "smart", "Hello").statusCode()).isEqualTo(200);
    }
}
