package dev.veil.server.cache;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.RedisProcess;
import dev.veil.server.testing.VeilUnderTest;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Two Veil servers, as two replicas behind a load balancer, each with the response cache and its shared tier on one
 * real Redis: what one stores the other serves, tenants stay apart, Redis sees only sealed values under opaque keys,
 * zero-retention exchanges never reach it, and an outage costs hits, never requests.
 */
class ResponseCacheSharedTierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = Base64.getEncoder().encodeToString(
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final String QUESTION = "What is the capital of Norway?";
    /** The same outage retry interval as the plugin's {@code SharedTier.RETRY}, which the clock is moved past. */
    private static final Duration RETRY = Duration.ofSeconds(1);

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    private final FakeClock clock = new FakeClock();
    private RedisProcess redis;
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest a;
    private VeilUnderTest b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
    }

    @AfterEach
    void stop() throws Exception {
        for (VeilUnderTest veil : new VeilUnderTest[] {a, b}) {
            if (veil != null) {
                veil.close();
            }
        }
        upstream.close();
        redis.close();
    }

    private static String shared(String url, String key, String extraCacheSettings) {
        return """
                  plugins:
                    - name: response-cache
                %s
                      shared:
                        kind: redis
                        url: "%s"
                        password: "%s"
                        key: "%s"
                """.formatted(extraCacheSettings, url, RedisProcess.PASSWORD, key);
    }

    private String config(Path dataDir, String extraCacheSettings) {
        return VeilUnderTest.config(upstream, "  data-dir: \"" + dataDir + "\"\n"
                + shared(redis.url(), KEY, extraCacheSettings));
    }

    private void startBoth() {
        a = VeilUnderTest.start(config(dataA, ""), clock);
        b = VeilUnderTest.start(config(dataB, ""), clock);
    }

    /** A virtual key of {@code tenant} on {@code veil}; each server has its own key store, as it would with SQLite. */
    private static String keyOf(VeilUnderTest veil, String tenant) throws Exception {
        HttpResponse<String> created = veil.post("/admin/keys", "{\"tenant\": \"" + tenant + "\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        return JSON.readTree(created.body()).path("key").asText();
    }

    private static HttpResponse<String> ask(VeilUnderTest veil, String question, boolean stream, String... headers) {
        HttpRequest.Builder request = veil.request("/v1/chat/completions");
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return veil.send(request.POST(HttpRequest.BodyPublishers.ofString(ResponseCacheTest.chat(question, stream)))
                .build());
    }

    private static HttpResponse<String> askAs(VeilUnderTest veil, String key, String question) {
        return ask(veil, question, false, "Authorization", "Bearer " + key);
    }

    private static String cache(HttpResponse<String> response) {
        return response.headers().firstValue("x-veil-cache").orElse("(none)");
    }

    private Jedis redisClient() {
        Jedis jedis = new Jedis("127.0.0.1", redis.port());
        jedis.auth(RedisProcess.PASSWORD);
        return jedis;
    }

    /** Every key in Redis with its value, read as a client with the password would. */
    private Map<String, byte[]> redisContent() {
        Map<String, byte[]> content = new LinkedHashMap<>();
        try (Jedis jedis = redisClient()) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<byte[]> page = jedis.scan(cursor.getBytes(StandardCharsets.US_ASCII),
                        new ScanParams().count(100));
                for (byte[] key : page.getResult()) {
                    content.put(new String(key, StandardCharsets.ISO_8859_1), jedis.get(key));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return content;
    }

    /** Waits for the background stores to land: {@code count} entries in Redis. */
    private Map<String, byte[]> awaitEntries(int count) {
        return await("%d entries in Redis".formatted(count)).atMost(Duration.ofSeconds(10))
                .until(this::redisContent, content -> content.size() >= count);
    }

    @Test
    void servesOnOneServerAnAnswerTheOtherCached() throws Exception {
        startBoth();
        HttpResponse<String> first = ask(a, QUESTION, false);
        awaitEntries(1);

        HttpResponse<String> second = ask(b, QUESTION, false);

        assertThat(cache(first)).isEqualTo("miss");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(cache(second)).isEqualTo("hit");
        assertThat(ResponseCacheTest.text(second)).isEqualTo(QUESTION);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void replaysToAStreamOnOneServerAnAnswerTheOtherStreamed() throws Exception {
        startBoth();
        ask(a, QUESTION, true);
        awaitEntries(1);

        HttpResponse<String> second = ask(b, QUESTION, true);

        assertThat(cache(second)).isEqualTo("hit");
        assertThat(ResponseCacheTest.text(second)).isEqualTo(QUESTION);
        assertThat(second.body()).contains("\"finish_reason\":\"stop\"").endsWith("data: [DONE]\n\n");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void neverServesOneTenantsAnswerToAnotherAcrossServers() throws Exception {
        startBoth();
        String acmeOnA = keyOf(a, "acme");
        String acmeOnB = keyOf(b, "acme");
        String globexOnB = keyOf(b, "globex");
        askAs(a, acmeOnA, QUESTION);
        awaitEntries(1);

        HttpResponse<String> globex = askAs(b, globexOnB, QUESTION);
        HttpResponse<String> acme = askAs(b, acmeOnB, QUESTION);

        assertThat(cache(globex)).isEqualTo("miss");
        assertThat(cache(acme)).isEqualTo("hit");
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void keepsNeitherPromptNorAnswerNorTenantReadableInRedis() throws Exception {
        startBoth();
        String acme = keyOf(a, "acme-tenant");
        askAs(a, acme, QUESTION);
        ask(a, "Summarise the quarterly figures for Lofoten Fisheries", true);

        Map<String, byte[]> content = awaitEntries(2);

        assertThat(content).hasSize(2);
        try (Jedis jedis = redisClient()) {
            for (Map.Entry<String, byte[]> entry : content.entrySet()) {
                assertThat(entry.getKey()).matches("veil:response-cache:[0-9a-f]{64}");
                String value = new String(entry.getValue(), StandardCharsets.ISO_8859_1);
                for (String plaintext : List.of("Norway", "capital", "Lofoten", "quarterly", "acme", "gpt-4o",
                        "assistant", "chatcmpl")) {
                    assertThat(value).doesNotContain(plaintext);
                }
                assertThat(jedis.pttl(entry.getKey())).as("milliseconds to live").isPositive();
            }
        }
    }

    @Test
    void leavesNothingInRedisForZeroRetentionRequests() throws Exception {
        a = VeilUnderTest.start(VeilUnderTest.zeroRetentionConfig(upstream, "  data-dir: \"" + dataA + "\"\n"
                + shared(redis.url(), KEY, "      zero-retention: memory")), clock);
        b = VeilUnderTest.start(VeilUnderTest.zeroRetentionConfig(upstream, "  data-dir: \"" + dataB + "\"\n"
                + shared(redis.url(), KEY, "      zero-retention: memory")), clock);
        HttpResponse<String> first = ask(a, QUESTION, false, "x-veil-zero-retention", "true");
        HttpResponse<String> fromMemory = ask(a, QUESTION, true, "x-veil-zero-retention", "true");
        ask(a, "A question that may be shared", false);
        awaitEntries(1);

        HttpResponse<String> onB = ask(b, QUESTION, false, "x-veil-zero-retention", "true");

        assertThat(cache(first)).isEqualTo("miss");
        assertThat(cache(fromMemory)).isEqualTo("hit");
        assertThat(cache(onB)).isEqualTo("miss");
        assertThat(redisContent()).hasSize(1);
        assertThat(upstream.received()).hasSize(3);
    }

    @Test
    void answersThroughARedisOutageAndSharesAgainOnceItIsBack() throws Exception {
        startBoth();
        try (CapturedLogs logs = CapturedLogs.open()) {
            redis.stop();

            HttpResponse<String> duringOutage = ask(a, QUESTION, false);
            HttpResponse<String> againOnA = ask(a, QUESTION, false);
            HttpResponse<String> onB = ask(b, QUESTION, false);
            HttpResponse<String> stillDown = ask(b, "Another question", true);

            assertThat(List.of(duringOutage, againOnA, onB, stillDown)).allSatisfy(response ->
                    assertThat(response.statusCode()).isEqualTo(200));
            assertThat(List.of(cache(duringOutage), cache(againOnA), cache(onB), cache(stillDown)))
                    .containsExactly("miss", "hit", "miss", "miss");
            assertThat(upstream.received()).hasSize(3);

            redis.restart();
            clock.advance(RETRY);
            ask(a, "Asked once Redis is back", false);
            awaitEntries(1);
            HttpResponse<String> shared = ask(b, "Asked once Redis is back", false);

            assertThat(cache(shared)).isEqualTo("hit");
            assertThat(upstream.received()).hasSize(4);
            List<String> outages = new ArrayList<>();
            for (String record : logs.records()) {
                if (record.contains("shared tier") && record.contains("unavailable")) {
                    outages.add(record);
                }
            }
            assertThat(outages).as("one outage logged per server").hasSize(2);
            assertThat(logs.text()).contains("is available again").doesNotContain(RedisProcess.PASSWORD, KEY);
        }
    }

    @Test
    void refusesToStartWithAShortKeyNamingTheSetting() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);

        assertThatThrownBy(() -> VeilUnderTest.start(VeilUnderTest.config(upstream, "  data-dir: \"" + dataA
                + "\"\n" + shared(redis.url(), shortKey, ""))))
                .hasMessageContaining("veil.plugins[0].shared.key").hasMessageContaining("256-bit")
                .hasMessageNotContaining(shortKey);
    }

    @Test
    void refusesToStartWithThePasswordInTheUrlNamingTheSetting() {
        String url = "redis://:" + RedisProcess.PASSWORD + "@127.0.0.1:" + redis.port();

        assertThatThrownBy(() -> VeilUnderTest.start(VeilUnderTest.config(upstream, "  data-dir: \"" + dataA
                + "\"\n" + shared(url, KEY, ""))))
                .hasMessageContaining("veil.plugins[0].shared.url").hasMessageContaining("password")
                .hasMessageNotContaining(RedisProcess.PASSWORD);
    }

    @Test
    void refusesToStartWithoutAKeyNamingTheSetting() {
        String withoutKey = shared(redis.url(), KEY, "").replace("        key: \"" + KEY + "\"\n", "");

        assertThatThrownBy(() -> VeilUnderTest.start(VeilUnderTest.config(upstream, "  data-dir: \"" + dataA
                + "\"\n" + withoutKey)))
                .hasMessageContaining("veil.plugins[0].shared.key").hasMessageContaining("every replica");
    }
}
