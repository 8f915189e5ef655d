package dev.veil.plugins.routing;

import static dev.veil.plugins.routing.RoutingFactoryTest.route;
import static dev.veil.plugins.routing.RoutingFactoryTest.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.Extensions;
import dev.veil.spi.Role;
import dev.veil.spi.SamplingParameters;
import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Route;
import dev.veil.spi.plugin.Target;
import dev.veil.spi.testing.TestExchange;
import org.junit.jupiter.api.Test;

class RoutingPluginTest {
    private static final Target GPT = Target.parse("openai/gpt-4o");
    private static final Target MINI = Target.parse("openai/gpt-4o-mini");
    private static final Target DEEPSEEK = Target.parse("deepseek/deepseek-chat");
    private static final Target CLAUDE = Target.parse("anthropic/claude-sonnet-4-5");
    private static final Map<String, Object> PRICES = Map.of(
            "openai/gpt-4o", Map.of("input", "2.5", "output", "10"),
            "openai/gpt-4o-mini", Map.of("input", "0.15", "output", "0.6"),
            "deepseek/deepseek-chat", Map.of("input", "0.27", "output", "1.1"));

    private final FakeClock clock = new FakeClock();
    private final SplittableRandom random = new SplittableRandom(7);

    private RoutingPlugin plugin(Map<String, ?> values) {
        return new RoutingPlugin(RoutingSettings.parse(settings(values), TestContext.PROVIDERS.providers()),
                TestContext.PROVIDERS.logger(), clock, () -> random);
    }

    private static Map<String, Object> oneRoute(String model, Map<String, Object> route) {
        return Map.of("routes", Map.of(model, route));
    }

    private static List<Map<String, String>> targets(Target... targets) {
        return java.util.Arrays.stream(targets).map(target -> Map.of("target", target.toString())).toList();
    }

    private static ChatRequest request(String model) {
        return ChatRequest.of(model, List.of(ChatMessage.text(Role.USER, "What is the capital of Norway?")));
    }

    private static Route routeOf(RoutingPlugin plugin, ChatRequest request, TestExchange exchange) {
        assertThat(plugin.onRequest(request, exchange)).isSameAs(request);
        return exchange.get(Attributes.ROUTE).orElseThrow();
    }

    private static Route routeOf(RoutingPlugin plugin, String model) {
        return routeOf(plugin, request(model), new TestExchange());
    }

    private static void attempt(RoutingPlugin plugin, Target target, Attempt.Result result, Duration latency) {
        plugin.onAttempt(Attempt.of(target, result, latency), new TestExchange());
    }

    private static void fail(RoutingPlugin plugin, Target target, int times) {
        for (int i = 0; i < times; i++) {
            attempt(plugin, target, Attempt.Result.OVERLOADED, Duration.ofMillis(30));
        }
    }

    // ordered

    @Test
    void orderedRouteKeepsConfigOrderAndCarriesItsSettings() {
        RoutingPlugin plugin = plugin(oneRoute("smart", route("targets", targets(GPT, DEEPSEEK),
                "context-fallbacks", List.of(CLAUDE.toString()), "retries", "2", "backoff", "100ms",
                "deadline", "20s")));
        Route route = routeOf(plugin, "smart");
        assertThat(route.targets()).containsExactly(GPT, DEEPSEEK);
        assertThat(route.contextFallbacks()).containsExactly(CLAUDE);
        assertThat(route.retries()).isEqualTo(2);
        assertThat(route.backoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(route.deadline()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void aConfiguredRouteReplacesWhatVeilResolved() {
        RoutingPlugin plugin = plugin(oneRoute("gpt-4o", route("targets", targets(DEEPSEEK, GPT))));
        TestExchange exchange = new TestExchange();
        exchange.put(Attributes.ROUTE, Route.of(List.of(GPT)));
        assertThat(routeOf(plugin, request("gpt-4o"), exchange).targets()).containsExactly(DEEPSEEK, GPT);
    }

    // models without a route of their own

    @Test
    void modelWithoutRouteKeepsVeilsTargetsUnderTheDefaultSettings() {
        RoutingPlugin plugin = plugin(Map.of("retries", "3", "backoff", "50ms", "deadline", "10s"));
        TestExchange exchange = new TestExchange();
        exchange.put(Attributes.ROUTE, Route.builder(List.of(GPT, DEEPSEEK)).contextFallbacks(List.of(CLAUDE)).build());
        Route route = routeOf(plugin, request("gpt-4o"), exchange);
        assertThat(route.targets()).containsExactly(GPT, DEEPSEEK);
        assertThat(route.contextFallbacks()).containsExactly(CLAUDE);
        assertThat(route.retries()).isEqualTo(3);
        assertThat(route.backoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(route.deadline()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void modelWithoutRouteGetsTheDefaultStrategy() {
        RoutingPlugin plugin = plugin(Map.of("strategy", "lowest-cost", "prices", PRICES));
        TestExchange exchange = new TestExchange();
        exchange.put(Attributes.ROUTE, Route.of(List.of(CLAUDE, GPT, MINI)));
        assertThat(routeOf(plugin, request("gpt-4o"), exchange).targets()).containsExactly(MINI, GPT, CLAUDE);
    }

    @Test
    void modelNobodyResolvedStaysUnrouted() {
        RoutingPlugin plugin = plugin(Map.of());
        TestExchange exchange = new TestExchange();
        plugin.onRequest(request("no-such-model"), exchange);
        assertThat(exchange.get(Attributes.ROUTE)).isEmpty();
    }

    // weighted

    private static Map<String, Object> weighted(String sticky, int gptWeight, int deepseekWeight) {
        return oneRoute("smart", route("strategy", "weighted", "sticky", sticky, "targets", List.of(
                Map.of("target", GPT.toString(), "weight", String.valueOf(gptWeight)),
                Map.of("target", DEEPSEEK.toString(), "weight", String.valueOf(deepseekWeight)))));
    }

    @Test
    void randomDrawsSplitByWeightWithinThreePercent() {
        RoutingPlugin plugin = plugin(weighted("none", 10, 90));
        int requests = 2_000;
        int gptFirst = 0;
        for (int i = 0; i < requests; i++) {
            if (routeOf(plugin, "smart").targets().get(0).equals(GPT)) {
                gptFirst++;
            }
        }
        assertThat((double) gptFirst / requests).isCloseTo(0.10, within(0.03));
    }

    @Test
    void stickyKeysSplitByWeightWithinThreePercent() {
        RoutingPlugin plugin = plugin(weighted("key", 10, 90));
        int callers = 2_000;
        int gptFirst = 0;
        for (int i = 0; i < callers; i++) {
            if (routeOf(plugin, request("smart"), TestExchange.withKey("k_" + i, false)).targets().get(0).equals(GPT)) {
                gptFirst++;
            }
        }
        assertThat((double) gptFirst / callers).isCloseTo(0.10, within(0.03));
    }

    @Test
    void stickyKeyAlwaysStartsAtTheSameTarget() {
        RoutingPlugin plugin = plugin(weighted("key", 50, 50));
        for (int caller = 0; caller < 50; caller++) {
            String key = "k_" + caller;
            Target first = routeOf(plugin, request("smart"), TestExchange.withKey(key, false)).targets().get(0);
            for (int again = 0; again < 20; again++) {
                assertThat(routeOf(plugin, request("smart"), TestExchange.withKey(key, false)).targets().get(0))
                        .isEqualTo(first);
            }
        }
    }

    @Test
    void stickyUserFollowsTheUserFieldAndFallsBackToTheKey() {
        RoutingPlugin plugin = plugin(weighted("user", 50, 50));
        Map<Target, Integer> firsts = new HashMap<>();
        for (int user = 0; user < 200; user++) {
            ChatRequest request = withUser(request("smart"), "user-" + user);
            Target first = routeOf(plugin, request, TestExchange.withKey("k_1", false)).targets().get(0);
            // The same user through another key still starts at the same target.
            assertThat(routeOf(plugin, request, TestExchange.withKey("k_2", false)).targets().get(0)).isEqualTo(first);
            firsts.merge(first, 1, Integer::sum);
        }
        assertThat(firsts).containsOnlyKeys(GPT, DEEPSEEK);
        Target byKey = routeOf(plugin, request("smart"), TestExchange.withKey("k_9", false)).targets().get(0);
        for (int again = 0; again < 10; again++) {
            assertThat(routeOf(plugin, request("smart"), TestExchange.withKey("k_9", false)).targets().get(0))
                    .isEqualTo(byKey);
        }
    }

    @Test
    void weightedRestFollowsInConfigOrder() {
        RoutingPlugin plugin = plugin(oneRoute("smart", route("strategy", "weighted", "targets", List.of(
                Map.of("target", GPT.toString(), "weight", "0"),
                Map.of("target", MINI.toString(), "weight", "0"),
                Map.of("target", DEEPSEEK.toString(), "weight", "1")))));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK, GPT, MINI);
    }

    // least-latency

    @Test
    void leastLatencyTriesUnmeasuredTargetsFirstThenTheFastest() {
        RoutingPlugin plugin = plugin(oneRoute("fast", route("strategy", "least-latency",
                "targets", targets(GPT, MINI, DEEPSEEK))));
        assertThat(routeOf(plugin, "fast").targets()).containsExactly(GPT, MINI, DEEPSEEK);
        attempt(plugin, GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(900));
        attempt(plugin, DEEPSEEK, Attempt.Result.SUCCEEDED, Duration.ofMillis(400));
        assertThat(routeOf(plugin, "fast").targets()).containsExactly(MINI, DEEPSEEK, GPT);
        attempt(plugin, MINI, Attempt.Result.SUCCEEDED, Duration.ofMillis(600));
        assertThat(routeOf(plugin, "fast").targets()).containsExactly(DEEPSEEK, MINI, GPT);
    }

    @Test
    void leastLatencySmoothsOneSlowAnswerButFollowsARealSlowdown() {
        RoutingPlugin plugin = plugin(oneRoute("fast", route("strategy", "least-latency",
                "targets", targets(GPT, DEEPSEEK))));
        attempt(plugin, GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(1000));
        attempt(plugin, DEEPSEEK, Attempt.Result.SUCCEEDED, Duration.ofMillis(2000));
        attempt(plugin, GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(10_000));
        assertThat(routeOf(plugin, "fast").targets()).containsExactly(GPT, DEEPSEEK);
        for (int i = 0; i < 3; i++) {
            attempt(plugin, GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(5000));
        }
        assertThat(routeOf(plugin, "fast").targets()).containsExactly(DEEPSEEK, GPT);
    }

    @Test
    void leastLatencyIgnoresFailuresAndKeepsStreamsApart() {
        RoutingPlugin plugin = plugin(oneRoute("fast", route("strategy", "least-latency",
                "targets", targets(GPT, DEEPSEEK))));
        attempt(plugin, GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(3000));
        attempt(plugin, DEEPSEEK, Attempt.Result.SUCCEEDED, Duration.ofMillis(1000));
        attempt(plugin, DEEPSEEK, Attempt.Result.TIMED_OUT, Duration.ofMillis(1));
        plugin.onAttempt(Attempt.of(GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(200)),
                TestExchange.withKey("k_1", true));
        plugin.onAttempt(Attempt.of(DEEPSEEK, Attempt.Result.SUCCEEDED, Duration.ofMillis(800)),
                TestExchange.withKey("k_1", true));
        assertThat(routeOf(plugin, "fast").targets()).containsExactly(DEEPSEEK, GPT);
        assertThat(routeOf(plugin, request("fast"), TestExchange.withKey("k_1", true)).targets())
                .containsExactly(GPT, DEEPSEEK);
    }

    @Test
    void leastLatencyRemeasuresAStaleEstimateWithOneRequest() {
        RoutingPlugin plugin = plugin(oneRoute("fast", route("strategy", "least-latency",
                "targets", targets(GPT, DEEPSEEK))));
        attempt(plugin, GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(500));
        attempt(plugin, DEEPSEEK, Attempt.Result.SUCCEEDED, Duration.ofMillis(4000));
        clock.advance(Duration.ofSeconds(30));
        attempt(plugin, GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(500));
        clock.advance(TargetHealth.REMEASURE_AFTER);
        attempt(plugin, GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(500));
        assertThat(routeOf(plugin, "fast").targets()).containsExactly(DEEPSEEK, GPT);
        assertThat(routeOf(plugin, "fast").targets()).containsExactly(GPT, DEEPSEEK);
    }

    // lowest-cost

    @Test
    void lowestCostOrdersByExpectedCostWithUnpricedTargetsLast() {
        RoutingPlugin plugin = plugin(Map.of("prices", PRICES, "routes", Map.of("cheap", route(
                "strategy", "lowest-cost", "targets", targets(CLAUDE, GPT, DEEPSEEK, MINI)))));
        assertThat(routeOf(plugin, "cheap").targets()).containsExactly(MINI, DEEPSEEK, GPT, CLAUDE);
    }

    @Test
    void lowestCostWeighsInputAgainstOutputByThePromptsLength() {
        Map<String, Object> prices = Map.of(
                "openai/gpt-4o", Map.of("input", "1", "output", "20"),
                "deepseek/deepseek-chat", Map.of("input", "3", "output", "4"));
        RoutingPlugin plugin = plugin(Map.of("prices", prices, "routes", Map.of("cheap", route(
                "strategy", "lowest-cost", "targets", targets(GPT, DEEPSEEK)))));
        // A short prompt with the default answer length: output dominates, so cheap output wins.
        assertThat(routeOf(plugin, "cheap").targets()).containsExactly(DEEPSEEK, GPT);
        // 40,000 characters are about 10,000 tokens; with a 100-token answer cheap input wins.
        ChatRequest longPrompt = ChatRequest.of("cheap", List.of(ChatMessage.text(Role.USER, "x".repeat(40_000))))
                .withSampling(SamplingParameters.builder().maxCompletionTokens(100).build());
        assertThat(RoutingPlugin.estimateInputTokens(longPrompt)).isEqualTo(10_000);
        assertThat(routeOf(plugin, longPrompt, new TestExchange()).targets()).containsExactly(GPT, DEEPSEEK);
    }

    // circuit breaker

    @Test
    void failuresWithinTheWindowOpenTheCircuitAndLeaveTheTargetOut() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "3", "window", "10s", "cooldown", "30s"),
                "routes", Map.of("smart", route("targets", targets(GPT, DEEPSEEK)))));
        fail(plugin, GPT, 2);
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
        fail(plugin, GPT, 1);
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
        clock.advance(Duration.ofSeconds(29));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
    }

    @Test
    void failuresSpreadWiderThanTheWindowDoNotOpenTheCircuit() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "3", "window", "10s"),
                "routes", Map.of("smart", route("targets", targets(GPT, DEEPSEEK)))));
        for (int i = 0; i < 10; i++) {
            fail(plugin, GPT, 1);
            clock.advance(Duration.ofSeconds(6));
        }
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
    }

    @Test
    void failuresOfTheRequestDoNotCountAgainstTheTarget() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "2"),
                "routes", Map.of("smart", route("targets", targets(GPT, DEEPSEEK)))));
        for (int i = 0; i < 5; i++) {
            attempt(plugin, GPT, Attempt.Result.REJECTED, Duration.ofMillis(10));
            attempt(plugin, GPT, Attempt.Result.CONTEXT_TOO_LONG, Duration.ofMillis(10));
        }
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
    }

    @Test
    void afterTheCooldownExactlyOneRequestProbesTheTargetFirst() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "1", "cooldown", "30s"),
                "routes", Map.of("smart", route("targets", targets(DEEPSEEK, GPT)))));
        fail(plugin, GPT, 1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
    }

    @Test
    void aSucceedingProbeClosesTheCircuit() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "1", "cooldown", "30s"),
                "routes", Map.of("smart", route("targets", targets(GPT, DEEPSEEK)))));
        fail(plugin, GPT, 1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
        attempt(plugin, GPT, Attempt.Result.SUCCEEDED, Duration.ofMillis(300));
        for (int i = 0; i < 3; i++) {
            assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
        }
    }

    @Test
    void aFailingProbeReopensTheCircuitForAnotherCooldown() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "1", "cooldown", "30s"),
                "routes", Map.of("smart", route("targets", targets(GPT, DEEPSEEK)))));
        fail(plugin, GPT, 1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
        attempt(plugin, GPT, Attempt.Result.UNREACHABLE, Duration.ofMillis(5));
        clock.advance(Duration.ofSeconds(29));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
        clock.advance(Duration.ofSeconds(1));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
    }

    @Test
    void aProbeWithoutVerdictLetsTheNextRequestProbe() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "1", "cooldown", "30s"), "deadline", "20s",
                "routes", Map.of("smart", route("targets", targets(GPT, DEEPSEEK)))));
        fail(plugin, GPT, 1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
        attempt(plugin, GPT, Attempt.Result.REJECTED, Duration.ofMillis(5));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
        // That probe's attempt never comes (say the policy dropped the target): after the deadline, another probes.
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
        clock.advance(Duration.ofSeconds(20));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
    }

    @Test
    void aRequestProbesOneTargetAtMost() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "1", "cooldown", "30s"),
                "routes", Map.of("smart", route("targets", targets(GPT, MINI, DEEPSEEK)))));
        fail(plugin, GPT, 1);
        fail(plugin, MINI, 1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(MINI, DEEPSEEK);
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
    }

    @Test
    void theBreakerIsSharedByAllRoutesAndVeilsOwn() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "2"), "routes", Map.of(
                "smart", route("targets", targets(GPT, DEEPSEEK)),
                "other", route("targets", targets(GPT, CLAUDE)))));
        fail(plugin, GPT, 2);
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
        assertThat(routeOf(plugin, "other").targets()).containsExactly(CLAUDE);
        TestExchange exchange = new TestExchange();
        exchange.put(Attributes.ROUTE, Route.of(List.of(GPT, MINI)));
        assertThat(routeOf(plugin, request("gpt-4o"), exchange).targets()).containsExactly(MINI);
    }

    @Test
    void noBreakerWhenFailuresIsZero() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "0"),
                "routes", Map.of("smart", route("targets", targets(GPT, DEEPSEEK)))));
        fail(plugin, GPT, 100);
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
    }

    @Test
    void whenEveryTargetIsOutAllAreKeptSoonestAvailableFirst() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "1", "cooldown", "30s"),
                "routes", Map.of("smart", route("targets", targets(GPT, MINI, DEEPSEEK)))));
        fail(plugin, GPT, 1);
        clock.advance(Duration.ofSeconds(10));
        fail(plugin, DEEPSEEK, 1);
        clock.advance(Duration.ofSeconds(5));
        fail(plugin, MINI, 1);
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK, MINI);
    }

    // Retry-After

    @Test
    void retryAfterRestsTheTargetUntilThenWithoutOpeningTheCircuit() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "5"),
                "routes", Map.of("smart", route("targets", targets(GPT, DEEPSEEK)))));
        plugin.onAttempt(Attempt.of(GPT, Attempt.Result.RATE_LIMITED, Duration.ofMillis(20))
                .withRetryAfter(Duration.ofSeconds(12)), new TestExchange());
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
        clock.advance(Duration.ofSeconds(11));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
        clock.advance(Duration.ofSeconds(1));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(GPT, DEEPSEEK);
    }

    @Test
    void aShorterRetryAfterDoesNotCutALongerRestShort() {
        RoutingPlugin plugin = plugin(oneRoute("smart", route("targets", targets(GPT, DEEPSEEK))));
        plugin.onAttempt(Attempt.of(GPT, Attempt.Result.RATE_LIMITED, Duration.ofMillis(20))
                .withRetryAfter(Duration.ofSeconds(60)), new TestExchange());
        plugin.onAttempt(Attempt.of(GPT, Attempt.Result.RATE_LIMITED, Duration.ofMillis(20))
                .withRetryAfter(Duration.ofSeconds(1)), new TestExchange());
        clock.advance(Duration.ofSeconds(30));
        assertThat(routeOf(plugin, "smart").targets()).containsExactly(DEEPSEEK);
    }

    // context fallbacks

    @Test
    void anUnhealthyContextFallbackIsLeftOutUnlessAllAre() {
        RoutingPlugin plugin = plugin(Map.of("breaker", Map.of("failures", "1"), "routes", Map.of("smart", route(
                "targets", targets(MINI), "context-fallbacks", List.of(GPT.toString(), CLAUDE.toString())))));
        fail(plugin, GPT, 1);
        assertThat(routeOf(plugin, "smart").contextFallbacks()).containsExactly(CLAUDE);
        fail(plugin, CLAUDE, 1);
        assertThat(routeOf(plugin, "smart").contextFallbacks()).containsExactly(GPT, CLAUDE);
    }

    private static ChatRequest withUser(ChatRequest request, String user) {
        return request.toBuilder().user(user).extensions(Extensions.NONE).build();
    }
}
