package dev.veil.server.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * The routing strategies through the real server: a weighted split holds its proportions, least-latency moves
 * traffic away from a target that slowed down, lowest-cost sends a request to its cheapest target first.
 */
class RoutingStrategyTest {
    private static final int SPLIT_REQUESTS = 2_000;
    private static final String SPLIT_ROUTE = """
                        split:
                          strategy: weighted
                          sticky: %s
                          targets: [{target: openai/minor, weight: 10}, {target: deepseek/major, weight: 90}]
                """;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private void routes(String routesYaml, String pricesYaml) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: routing
                      retries: 0
                %s      routes:
                %s""".formatted(pricesYaml, routesYaml)));
    }

    private static String ask(String model, String text) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private HttpResponse<String> ask(String body) {
        HttpResponse<String> response = veil.post("/v1/chat/completions", body);
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    private static String answeredBy(HttpResponse<String> response) {
        return response.headers().firstValue("x-veil-model").orElseThrow();
    }

    /** Sends {@code count} requests, 16 at a time, and counts which model answered them. */
    private Map<String, Integer> answersTo(int count, IntFunction<String> body) throws Exception {
        Map<String, Integer> answered = new ConcurrentHashMap<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String request = body.apply(i);
                sent.add(clients.submit(() -> answered.merge(answeredBy(ask(request)), 1, Integer::sum)));
            }
            for (Future<?> request : sent) {
                request.get();
            }
        }
        return answered;
    }

    @Test
    void splitsRandomDrawsTenToNinetyWithinThreePercent() throws Exception {
        routes(SPLIT_ROUTE.formatted("none"), "");

        Map<String, Integer> answered = answersTo(SPLIT_REQUESTS, i -> ask("split", "hi"));

        assertThat(answered.get("minor") / (double) SPLIT_REQUESTS).isCloseTo(0.10, within(0.03));
        assertThat(answered.get("major") / (double) SPLIT_REQUESTS).isCloseTo(0.90, within(0.03));
    }

    @Test
    void splitsDistinctUsersTenToNinetyWithinThreePercentWhenStickyByUser() throws Exception {
        routes(SPLIT_ROUTE.formatted("user"), "");

        Map<String, Integer> answered = answersTo(SPLIT_REQUESTS, i -> ask("split", "hi")
                .replace("{\"model\"", "{\"user\":\"user-" + i + "\",\"model\""));

        assertThat(answered.get("minor") / (double) SPLIT_REQUESTS).isCloseTo(0.10, within(0.03));
        assertThat(answered.get("major") / (double) SPLIT_REQUESTS).isCloseTo(0.90, within(0.03));
    }

    @Test
    void keepsAUserOnTheSameTargetWhenStickyByUser() throws Exception {
        routes(SPLIT_ROUTE.formatted("user"), "");
        String request = ask("split", "hi").replace("{\"model\"", "{\"user\":\"ann\",\"model\"");

        Map<String, Integer> answered = answersTo(20, i -> request);

        assertThat(answered).hasSize(1).containsValue(20);
    }

    @Test
    void movesTrafficAwayFromATargetThatSlowedDown() {
        AtomicReference<Duration> delayOfA = new AtomicReference<>(Duration.ZERO);
        upstream.on("a", FakeOpenAiUpstream.delayed(delayOfA::get, FakeOpenAiUpstream.echo()));
        upstream.on("b", FakeOpenAiUpstream.slow(Duration.ofMillis(30), FakeOpenAiUpstream.echo()));
        routes("""
                        fast:
                          strategy: least-latency
                          targets: [{target: openai/a}, {target: deepseek/b}]
                """, "");
        String request = ask("fast", "hi");
        ask(request);
        ask(request);
        assertThat(answeredBy(ask(request))).as("both measured, the faster first").isEqualTo("a");

        delayOfA.set(Duration.ofMillis(200));
        List<String> afterSlowdown = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            afterSlowdown.add(answeredBy(ask(request)));
        }

        assertThat(afterSlowdown.subList(0, 3)).as("one slow answer does not reorder the route, a few do")
                .contains("b");
        assertThat(afterSlowdown.subList(3, 6)).containsOnly("b");
    }

    @Test
    void sendsARequestToItsCheapestTargetFirst() {
        routes("""
                        cost:
                          strategy: lowest-cost
                          targets: [{target: openai/pricey}, {target: deepseek/cheap}]
                """, """
                      prices:
                        openai/pricey: {input: 10, output: 30}
                        deepseek/cheap: {input: 0.27, output: 1.1}
                """);

        HttpResponse<String> response = ask(ask("cost", "hi"));

        assertThat(answeredBy(response)).isEqualTo("cheap");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("1");
    }

    @Test
    void pricesThePromptAtTheInputPriceAndTheOutputLimitAtTheOutputPrice() {
        routes("""
                        cost:
                          strategy: lowest-cost
                          targets: [{target: openai/cheap-input}, {target: deepseek/cheap-output}]
                """, """
                      prices:
                        openai/cheap-input: {input: 0.1, output: 10}
                        deepseek/cheap-output: {input: 5, output: 1}
                """);
        String longPrompt = "word ".repeat(10_000);

        String shortQuestion = answeredBy(ask(ask("cost", "hi")));
        String longDocument = answeredBy(ask(ask("cost", longPrompt).replace("{\"model\"",
                "{\"max_tokens\":16,\"model\"")));

        assertThat(shortQuestion).isEqualTo("cheap-output");
        assertThat(longDocument).isEqualTo("cheap-input");
    }
}
