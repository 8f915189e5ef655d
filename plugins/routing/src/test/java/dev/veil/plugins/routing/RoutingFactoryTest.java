package dev.veil.plugins.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import dev.veil.spi.plugin.AttemptPhase;
import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginFactory;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.Target;
import org.junit.jupiter.api.Test;

class RoutingFactoryTest {
    private static final String PATH = "veil.plugins[2]";

    static PluginSettings settings(Map<String, ?> values) {
        return new PluginSettings(PATH, values);
    }

    static Map<String, Object> route(Object... pairs) {
        Map<String, Object> route = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            route.put((String) pairs[i], pairs[i + 1]);
        }
        return route;
    }

    private static RoutingSettings parse(Map<String, ?> values) {
        return RoutingSettings.parse(settings(values), TestContext.PROVIDERS.providers());
    }

    @Test
    void isFoundByServiceLoaderUnderItsName() {
        assertThat(ServiceLoader.load(PluginFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(factory -> factory.name().equals("routing")).findFirst())
                .get().satisfies(factory -> assertThat(factory.spiVersion()).isEqualTo(PluginFactory.SPI_VERSION));
    }

    @Test
    void createsPluginTakingPartInRequestAndAttemptPhases() {
        assertThat(new RoutingFactory().create(PluginSettings.empty(PATH), TestContext.PROVIDERS))
                .isInstanceOf(RequestPhase.class).isInstanceOf(AttemptPhase.class);
    }

    @Test
    void emptySettingsGiveTheDefaults() {
        RoutingSettings parsed = parse(Map.of());
        assertThat(parsed.strategy()).isEqualTo(Strategy.ORDERED);
        assertThat(parsed.retries()).isEqualTo(1);
        assertThat(parsed.backoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(parsed.deadline()).isEqualTo(Duration.ofSeconds(60));
        assertThat(parsed.breaker()).isEqualTo(Breaker.DEFAULT);
        assertThat(parsed.routes()).isEmpty();
    }

    @Test
    void readsTheDocumentedExample() {
        RoutingSettings parsed = parse(Map.of(
                "strategy", "least-latency", "retries", "2", "backoff", "100ms", "deadline", "30s",
                "breaker", Map.of("failures", "3", "window", "10s", "cooldown", "1m"),
                "prices", Map.of("openai/gpt-4o", Map.of("input", "2.5", "output", "10"),
                        "deepseek/deepseek-chat", Map.of("input", "0.27", "output", "1.1")),
                "routes", Map.of("smart", route("strategy", "weighted", "sticky", "key",
                        "targets", List.of(Map.of("target", "openai/gpt-4o", "weight", "90"),
                                Map.of("target", "deepseek/deepseek-chat", "weight", "10")),
                        "context-fallbacks", List.of("anthropic/claude-sonnet-4-5"), "retries", "3"))));
        assertThat(parsed.strategy()).isEqualTo(Strategy.LEAST_LATENCY);
        assertThat(parsed.breaker()).isEqualTo(new Breaker(3, Duration.ofSeconds(10), Duration.ofMinutes(1)));
        assertThat(parsed.prices()).containsEntry(Target.parse("deepseek/deepseek-chat"), new Price(0.27, 1.1));
        RoutingSettings.RouteSettings smart = parsed.routes().get(0);
        assertThat(smart.model()).isEqualTo("smart");
        assertThat(smart.strategy()).isEqualTo(Strategy.WEIGHTED);
        assertThat(smart.sticky()).isEqualTo(Sticky.KEY);
        assertThat(smart.targets()).containsExactly(Target.parse("openai/gpt-4o"),
                Target.parse("deepseek/deepseek-chat"));
        assertThat(smart.weights()).containsExactly(90, 10);
        assertThat(smart.contextFallbacks()).containsExactly(Target.parse("anthropic/claude-sonnet-4-5"));
        assertThat(smart.retries()).isEqualTo(3);
        assertThat(smart.backoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(smart.deadline()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void rejectsUnknownSettingsNamingTheKey() {
        assertInvalid(Map.of("strategey", "ordered"), PATH + ".strategey: unknown setting");
        assertInvalid(Map.of("routes", Map.of("smart", route("target", "openai/gpt-4o"))),
                PATH + ".routes.smart.target: unknown setting");
        assertInvalid(Map.of("breaker", Map.of("threshold", "3")), PATH + ".breaker.threshold: unknown setting");
    }

    @Test
    void rejectsUnknownStrategyAndStickiness() {
        assertInvalid(Map.of("strategy", "fastest"), PATH + ".strategy: 'fastest' is not a strategy; write ordered, "
                + "weighted, least-latency or lowest-cost");
        assertInvalid(Map.of("routes", Map.of("smart", route("strategy", "weighted", "sticky", "session",
                "targets", List.of(Map.of("target", "openai/gpt-4o"))))),
                PATH + ".routes.smart.sticky: 'session' is not a stickiness");
    }

    @Test
    void rejectsTargetsOfProvidersThatAreNotConfigured() {
        assertInvalid(Map.of("routes", Map.of("smart", route("targets", List.of(Map.of("target", "mistral/large"))))),
                PATH + ".routes.smart.targets[0].target: 'mistral/large' names provider 'mistral', which is not "
                        + "configured; configured providers: anthropic, deepseek, openai");
        assertInvalid(Map.of("routes", Map.of("smart", route("targets", List.of(Map.of("target", "openai/gpt-4o")),
                "context-fallbacks", List.of("google/gemini")))), PATH + ".routes.smart.context-fallbacks: "
                + "'google/gemini' names provider 'google'");
        assertInvalid(Map.of("prices", Map.of("google/gemini", Map.of("input", "1", "output", "2"))),
                PATH + ".prices.google/gemini: 'google/gemini' names provider 'google'");
    }

    @Test
    void acceptsAnyProviderWhenVeilListsNone() {
        RoutingSettings parsed = RoutingSettings.parse(settings(Map.of("routes", Map.of("smart",
                route("targets", List.of(Map.of("target", "mistral/large")))))), List.of());
        assertThat(parsed.routes().get(0).targets()).containsExactly(Target.of("mistral", "large"));
    }

    @Test
    void rejectsMalformedAndDuplicateTargets() {
        assertInvalid(Map.of("routes", Map.of("smart", route("targets", List.of(Map.of("target", "gpt-4o"))))),
                PATH + ".routes.smart.targets[0].target: 'gpt-4o' is not provider/model");
        assertInvalid(Map.of("routes", Map.of("smart", route("targets", List.of(Map.of("target", "openai/gpt-4o"),
                Map.of("target", "openai/gpt-4o"))))), PATH + ".routes.smart.targets[1].target: 'openai/gpt-4o' is "
                + "listed twice");
        assertInvalid(Map.of("routes", Map.of("smart", route("strategy", "ordered"))),
                PATH + ".routes.smart.targets: is required");
        assertInvalid(Map.of("routes", Map.of("smart", "openai/gpt-4o")),
                PATH + ".routes.smart: must be a section");
    }

    @Test
    void rejectsWeightsAndStickinessOutsideWeightedRoutes() {
        assertInvalid(Map.of("routes", Map.of("smart", route("targets", List.of(Map.of("target", "openai/gpt-4o",
                "weight", "5"))))), PATH + ".routes.smart.targets[0].weight: applies to weighted routes only");
        assertInvalid(Map.of("routes", Map.of("smart", route("sticky", "key", "targets",
                List.of(Map.of("target", "openai/gpt-4o"))))), PATH + ".routes.smart.sticky: applies to weighted "
                + "routes only; this route is ordered");
    }

    @Test
    void rejectsWeightsThatCannotDraw() {
        assertInvalid(Map.of("routes", Map.of("smart", route("strategy", "weighted", "targets",
                List.of(Map.of("target", "openai/gpt-4o", "weight", "-1"))))),
                PATH + ".routes.smart.targets[0].weight: must be between 0 and 1000000");
        assertInvalid(Map.of("routes", Map.of("smart", route("strategy", "weighted", "targets",
                List.of(Map.of("target", "openai/gpt-4o", "weight", "0"))))),
                PATH + ".routes.smart.targets: a weighted route needs at least one target with a weight above 0");
        assertInvalid(Map.of("routes", Map.of("smart", route("strategy", "weighted", "targets",
                List.of(Map.of("target", "openai/gpt-4o", "weight", "half"))))),
                PATH + ".routes.smart.targets[0].weight: must be a whole number");
    }

    @Test
    void rejectsRetriesAndTimingThatCannotWork() {
        assertInvalid(Map.of("retries", "-1"), PATH + ".retries: must be between 0 and 10, got -1");
        assertInvalid(Map.of("retries", "11"), PATH + ".retries: must be between 0 and 10, got 11");
        assertInvalid(Map.of("deadline", "0s"), PATH + ".deadline: must be longer than 0");
        assertInvalid(Map.of("backoff", "5s", "deadline", "5s"), PATH + ".backoff: must be shorter than the deadline");
        assertInvalid(Map.of("backoff", "soon"), PATH + ".backoff: 'soon' is not a duration");
        assertInvalid(Map.of("routes", Map.of("smart", route("targets", List.of(Map.of("target", "openai/gpt-4o")),
                "deadline", "100ms"))), PATH + ".routes.smart.backoff: must be shorter than the deadline");
    }

    @Test
    void rejectsBreakerSettingsThatCannotWork() {
        assertInvalid(Map.of("breaker", Map.of("failures", "-2")), PATH + ".breaker.failures: must be between 0 (no "
                + "breaker) and 10000");
        assertInvalid(Map.of("breaker", Map.of("window", "0ms")), PATH + ".breaker.window: must be longer than 0");
        assertInvalid(Map.of("breaker", Map.of("cooldown", "0s")), PATH + ".breaker.cooldown: must be longer than 0");
        assertThat(parse(Map.of("breaker", Map.of("failures", "0"))).breaker().enabled()).isFalse();
    }

    @Test
    void rejectsPricesThatAreNotAmounts() {
        assertInvalid(Map.of("prices", Map.of("openai/gpt-4o", Map.of("input", "-1", "output", "10"))),
                PATH + ".prices.openai/gpt-4o.input: must be a number of 0 or more");
        assertInvalid(Map.of("prices", Map.of("openai/gpt-4o", Map.of("input", "cheap", "output", "10"))),
                PATH + ".prices.openai/gpt-4o.input: must be a number (per million tokens), got 'cheap'");
        assertInvalid(Map.of("prices", Map.of("openai/gpt-4o", Map.of("input", "1"))),
                PATH + ".prices.openai/gpt-4o.output: is required");
    }

    @Test
    void rejectsLowestCostRouteWithoutAnyPrice() {
        assertInvalid(Map.of("routes", Map.of("cheap", route("strategy", "lowest-cost", "targets",
                List.of(Map.of("target", "openai/gpt-4o"))))), PATH + ".routes.cheap.strategy: lowest-cost needs "
                + "prices");
    }

    private static void assertInvalid(Map<String, ?> values, String messageStart) {
        assertThatThrownBy(() -> new RoutingFactory().create(settings(values), TestContext.PROVIDERS))
                .isInstanceOf(PluginConfigException.class).message().startsWith(messageStart);
    }
}
