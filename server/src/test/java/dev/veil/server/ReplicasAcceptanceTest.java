package dev.veil.server;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalProcesses;
import dev.veil.server.testing.PostgresProcess;
import dev.veil.server.testing.RedisProcess;
import dev.veil.server.testing.VeilProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's acceptance run: three Veil replicas (child JVMs) on one real PostgreSQL and one real Redis, a key with
 * {@code rpm: 100}, {@code tpm: 50000} and a $5 daily budget, and 2,000 chat completions (half of them streams) sent
 * round-robin over two minutes by 64 concurrent clients, while one replica is killed with SIGKILL with requests in
 * flight. What the limits promise is checked against what the clients saw:
 *
 * <ul>
 *   <li>no 60-second window holds more than 100 admitted requests — checked soundly from the client side: a request
 *       was admitted between its send and its answer, so 101 answered requests whose whole span fits in 60 s would
 *       prove a breach;</li>
 *   <li>the recorded spend is at most $5 plus the largest single reservation, and equals, to the micro-dollar, the
 *       usage the fake upstream reported in every answer a client received whole, priced — so the killed replica lost
 *       no settlement and nothing was counted twice;</li>
 *   <li>the killed replica's reservations are released once their lease ends, and the survivors keep serving.</li>
 * </ul>
 */
class ReplicasAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MASTER_KEY = "replicas-test-master-key";
    private static final int REQUESTS = 2000;
    private static final int CLIENTS = 64;
    private static final Duration SPACING = Duration.ofMillis(60);
    private static final int RPM = 100;
    private static final long BUDGET_MICROS = 5_000_000;
    /**
     * $150 per million input and output tokens: 150 micro-dollars a token, so $5 lasts about 150 requests — past the
     * first minute's 100, so that the rate limit binds first and the budget later, with the replica killed between.
     */
    private static final long MICROS_PER_TOKEN = 150;
    private static final int MAX_TOKENS = 200;
    /** Each answer takes a second, so that the replica killed has admitted requests in flight. */
    private static final Duration UPSTREAM_DELAY = Duration.ofSeconds(1);
    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final int KILLED = 2;

    @TempDir
    Path dir;

    /** What one client saw of one request. */
    private record Outcome(int index, int replica, long sentNanos, long endedNanos, int status, String code,
                           long costMicros, boolean whole, boolean transportFailure) {
    }

    @Test
    void threeReplicasKeepOneRateLimitAndOneBudgetExactlyThroughASigkill() throws Exception {
        FakeOpenAiUpstream.Behavior echo = FakeOpenAiUpstream.echo();
        try (PostgresProcess postgres = PostgresProcess.start(); RedisProcess redis = RedisProcess.start();
             FakeOpenAiUpstream upstream = new FakeOpenAiUpstream().on("gpt-4o", exchange -> {
                 try {
                     Thread.sleep(UPSTREAM_DELAY.toMillis());
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                     throw new IOException("interrupted", e);
                 }
                 echo.respond(exchange);
             })) {
            Path config = writeConfig(upstream, postgres, postgres.createDatabase(), redis);
            List<int[]> ports = new ArrayList<>();
            List<VeilProcess> replicas = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    int[] replicaPorts = {LocalProcesses.freePort(), LocalProcesses.freePort()};
                    ports.add(replicaPorts);
                    replicas.add(VeilProcess.start(config, Map.of("VEIL_PORT", Integer.toString(replicaPorts[0]),
                            "VEIL_MANAGEMENT_PORT", Integer.toString(replicaPorts[1]),
                            "VEIL_DATA_DIR", dir.resolve("veil-" + i).toString()), dir.resolve("veil-" + i + ".log")));
                }
                for (int i = 0; i < 3; i++) {
                    replicas.get(i).awaitReady(ports.get(i)[1], Duration.ofSeconds(90));
                }
                Cluster cluster = new Cluster(ports);
                aKeyRevokedOnOneReplicaIsRefusedByTheOthersWithinASecond(cluster);

                JsonNode created = cluster.admin(0, "POST", "/admin/keys", """
                        {"tenant": "bank", "limits": {"rpm": %d, "tpm": 50000},
                         "budget": {"limit_usd": 5, "period": "day"}}""".formatted(RPM));
                String key = created.path("key").asText();
                for (int i = 0; i < 3; i++) {
                    cluster.awaitKeyWorks(i, key);
                }

                Load load = new Load(cluster, key, replicas.get(KILLED));
                List<Outcome> outcomes = load.run();
                System.out.println(load.summary(outcomes));

                assertNoWindowAdmittedMoreThanTheLimit(outcomes);
                assertThat(outcomes).as("requests refused by the rate limit")
                        .anyMatch(o -> "rate_limit_exceeded".equals(o.code()));
                assertThat(outcomes).as("requests refused by the budget")
                        .anyMatch(o -> "budget_exceeded".equals(o.code()));
                assertThat(load.killedWithInFlight()).as("requests in flight on the replica killed").isPositive();
                assertThat(outcomes).as("every request but those cut by the kill got an answer")
                        .filteredOn(Outcome::transportFailure).allMatch(o -> o.replica() == KILLED)
                        .hasSizeLessThanOrEqualTo(load.killedWithInFlight());
                assertThat(outcomes).as("survivors answered after the kill")
                        .anyMatch(o -> o.sentNanos() > load.killedAtNanos() && o.status() == 200 || o.sentNanos()
                                > load.killedAtNanos() && o.status() == 429);

                long answeredMicros = outcomes.stream().filter(Outcome::whole).mapToLong(Outcome::costMicros).sum();
                long answered = outcomes.stream().filter(Outcome::whole).count();
                long largestReservation = load.largestReservationMicros();
                await("spend moved into PostgreSQL").atMost(Duration.ofSeconds(10)).until(() ->
                        cluster.admin(0, "GET", "/admin/usage?tenant=bank", null).path("total_requests").asLong()
                                >= answered);
                JsonNode usage = cluster.admin(1, "GET", "/admin/usage?tenant=bank", null);
                long recordedMicros = micros(usage.path("total_cost_usd").decimalValue());
                assertThat(usage.path("total_requests").asLong()).as("settled requests").isEqualTo(answered);
                assertThat(recordedMicros).as("recorded spend against the usage of every answer received, priced")
                        .isEqualTo(answeredMicros);
                assertThat(recordedMicros).as("recorded spend against the budget plus the largest reservation")
                        .isLessThanOrEqualTo(BUDGET_MICROS + largestReservation);

                // The last admission swept the expired leases; one more request after the lease makes sure.
                long leaseEnds = load.killedAtNanos() + LEASE.toNanos();
                while (System.nanoTime() < leaseEnds) {
                    Thread.sleep(200);
                }
                cluster.chat(0, key, "After the lease", false);
                JsonNode budget = cluster.admin(0, "GET", "/admin/budgets", null).path("data").get(0);
                assertThat(budget.path("reserved_usd").decimalValue()).as("reservations left after the lease")
                        .isEqualByComparingTo(BigDecimal.ZERO);
                assertThat(micros(budget.path("spent_usd").decimalValue())).as("the budget's spend in Redis")
                        .isEqualTo(recordedMicros);
            } finally {
                for (VeilProcess replica : replicas) {
                    replica.close();
                }
            }
        }
    }

    private static void aKeyRevokedOnOneReplicaIsRefusedByTheOthersWithinASecond(Cluster cluster) throws Exception {
        JsonNode created = cluster.admin(0, "POST", "/admin/keys", "{\"tenant\": \"revoked\"}");
        String key = created.path("key").asText();
        for (int i = 0; i < 3; i++) {
            cluster.awaitKeyWorks(i, key);
        }
        cluster.admin(0, "POST", "/admin/keys/" + created.path("id").asText() + "/revoke", "{}");
        for (int i = 1; i < 3; i++) {
            int replica = i;
            await("replica " + i + " refuses the revoked key").atMost(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> cluster.models(replica, key).statusCode() == 401);
        }
    }

    /**
     * No 101 admitted requests fit in one 60-second window. A request was admitted somewhere between the moment its
     * client sent it and the moment the answer began, so 101 answered requests whose spans all fit in 60 s prove a
     * breach; spans overlapping a window's edge prove nothing and are not counted.
     */
    private static void assertNoWindowAdmittedMoreThanTheLimit(List<Outcome> outcomes) {
        List<Outcome> admitted = outcomes.stream().filter(o -> o.status() == 200)
                .sorted(Comparator.comparingLong(Outcome::sentNanos)).toList();
        long window = Duration.ofSeconds(60).toNanos();
        int most = 0;
        for (int i = 0; i < admitted.size(); i++) {
            long start = admitted.get(i).sentNanos();
            int inside = 0;
            for (int j = i; j < admitted.size(); j++) {
                if (admitted.get(j).endedNanos() < start + window) {
                    inside++;
                }
            }
            most = Math.max(most, inside);
        }
        assertThat(most).as("admitted requests provably within one 60 s window").isLessThanOrEqualTo(RPM);
        assertThat(most).as("the limit admits what it allows, not less").isGreaterThanOrEqualTo(RPM * 8 / 10);
    }

    private Path writeConfig(FakeOpenAiUpstream upstream, PostgresProcess postgres, String database,
                             RedisProcess redis) throws IOException {
        Path config = dir.resolve("veil.yaml");
        Files.writeString(config, """
                server:
                  host: 127.0.0.1
                  port: ${VEIL_PORT}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  data-dir: "${VEIL_DATA_DIR}"
                  upstream: {connect-timeout: 2s, read-timeout: 10s}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                  prices:
                    - {model: openai/gpt-4o, input: %d, output: %d}
                  management:
                    host: 127.0.0.1
                    port: ${VEIL_MANAGEMENT_PORT}
                %s  limits:
                    shared:
                      kind: redis
                      url: "%s"
                      password: "%s"
                      lease: %ds
                """.formatted(MASTER_KEY, upstream.baseUrl(), MICROS_PER_TOKEN, MICROS_PER_TOKEN,
                postgres.storeYaml(database), redis.url(), RedisProcess.PASSWORD, LEASE.toSeconds()));
        return config;
    }

    private static long micros(BigDecimal usd) {
        return usd.movePointRight(6).longValueExact();
    }

    /** The replicas, reached directly: the client spreads requests round-robin over those alive. */
    private static final class Cluster {
        private final List<int[]> ports;
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();

        Cluster(List<int[]> ports) {
            this.ports = ports;
        }

        URI uri(int replica, String path) {
            return URI.create("http://127.0.0.1:" + ports.get(replica)[0] + path);
        }

        JsonNode admin(int replica, String method, String path, String body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(replica, path))
                    .header("Authorization", "Bearer " + MASTER_KEY).header("Content-Type", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new AssertionError(method + " " + path + ": " + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        }

        HttpResponse<String> models(int replica, String key) throws IOException, InterruptedException {
            return client.send(HttpRequest.newBuilder(uri(replica, "/v1/models"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        }

        void awaitKeyWorks(int replica, String key) {
            await("replica " + replica + " knows the key").atMost(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(20)).until(() -> models(replica, key).statusCode() == 200);
        }

        HttpResponse<String> chat(int replica, String key, String content, boolean stream)
                throws IOException, InterruptedException {
            ObjectNode request = JSON.createObjectNode().put("model", "openai/gpt-4o").put("max_tokens", MAX_TOKENS)
                    .put("stream", stream);
            if (stream) {
                request.putObject("stream_options").put("include_usage", true);
            }
            request.putArray("messages").addObject().put("role", "user").put("content", content);
            String body = JSON.writeValueAsString(request);
            return client.send(HttpRequest.newBuilder(uri(replica, "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The two minutes of traffic, and the kill. */
    private static final class Load {
        private final Cluster cluster;
        private final String key;
        private final VeilProcess victim;
        private final AtomicBoolean[] alive = {new AtomicBoolean(true), new AtomicBoolean(true),
                new AtomicBoolean(true)};
        private final AtomicInteger[] inFlight = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        private final Random random = new Random(19);
        private volatile long killedAtNanos;
        private volatile int killedWithInFlight;
        private long largestReservation;

        Load(Cluster cluster, String key, VeilProcess victim) {
            this.cluster = cluster;
            this.key = key;
            this.victim = victim;
        }

        List<Outcome> run() throws Exception {
            Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            long start = System.nanoTime();
            try {
                for (int i = 0; i < REQUESTS; i++) {
                    long due = start + i * SPACING.toNanos();
                    while (System.nanoTime() < due) {
                        Thread.sleep(Math.max(1, (due - System.nanoTime()) / 1_000_000));
                    }
                    if (killedAtNanos == 0 && i >= REQUESTS / 4 && inFlight[KILLED].get() >= 2) {
                        killedWithInFlight = inFlight[KILLED].get();
                        alive[KILLED].set(false);
                        victim.kill();
                        killedAtNanos = System.nanoTime();
                    }
                    int replica = i % 3;
                    while (!alive[replica].get()) {
                        replica = (replica + 1) % 3;
                    }
                    String content = "word ".repeat(12 + random.nextInt(145));
                    boolean stream = i % 2 == 1;
                    largestReservation = Math.max(largestReservation,
                            ((content.length() + 3) / 4 + 16 + MAX_TOKENS) * MICROS_PER_TOKEN);
                    int index = i;
                    int target = replica;
                    clients.submit(() -> outcomes.add(send(index, target, content, stream)));
                }
            } finally {
                clients.shutdown();
                clients.awaitTermination(2, TimeUnit.MINUTES);
            }
            return new ArrayList<>(outcomes);
        }

        private Outcome send(int index, int replica, String content, boolean stream) {
            long sent = System.nanoTime();
            inFlight[replica].incrementAndGet();
            try {
                HttpResponse<String> response = cluster.chat(replica, key, content, stream);
                long ended = System.nanoTime();
                if (response.statusCode() != 200) {
                    String code = JSON.readTree(response.body()).at("/error/code").asText();
                    return new Outcome(index, replica, sent, ended, response.statusCode(), code, 0, false, false);
                }
                JsonNode usage = stream ? streamUsage(response.body()) : JSON.readTree(response.body()).path("usage");
                boolean whole = usage != null && (!stream || response.body().contains("data: [DONE]"));
                long cost = whole ? (usage.path("prompt_tokens").asLong() + usage.path("completion_tokens").asLong())
                        * MICROS_PER_TOKEN : 0;
                return new Outcome(index, replica, sent, ended, 200, null, cost, whole, false);
            } catch (IOException e) {
                return new Outcome(index, replica, sent, System.nanoTime(), 0, null, 0, false, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(index, replica, sent, System.nanoTime(), 0, null, 0, false, true);
            } finally {
                inFlight[replica].decrementAndGet();
            }
        }

        private static JsonNode streamUsage(String body) throws IOException {
            JsonNode usage = null;
            for (String line : body.split("\n")) {
                if (line.startsWith("data: {")) {
                    JsonNode chunk = JSON.readTree(line.substring("data: ".length()));
                    if (chunk.hasNonNull("usage")) {
                        usage = chunk.path("usage");
                    }
                }
            }
            return usage;
        }

        long killedAtNanos() {
            return killedAtNanos;
        }

        int killedWithInFlight() {
            return killedWithInFlight;
        }

        long largestReservationMicros() {
            return largestReservation;
        }

        String summary(List<Outcome> outcomes) {
            long ok = outcomes.stream().filter(o -> o.status() == 200).count();
            long rate = outcomes.stream().filter(o -> "rate_limit_exceeded".equals(o.code())).count();
            long budget = outcomes.stream().filter(o -> "budget_exceeded".equals(o.code())).count();
            long cut = outcomes.stream().filter(Outcome::transportFailure).count();
            return ("Replicas acceptance: %d requests, %d answered, %d refused by the rate limit, %d by the budget, "
                    + "%d cut by the SIGKILL of replica %d (%d in flight)").formatted(outcomes.size(), ok, rate,
                    budget, cut, KILLED, killedWithInFlight);
        }
    }
}
