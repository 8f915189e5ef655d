package dev.veil.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.veil.plugins.routing.RoutingFactory;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.Role;
import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.AttemptPhase;
import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.ProviderInfo;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.Route;
import dev.veil.spi.plugin.Target;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the routing decision costs one request (issue target: at most 5 µs): the routing plugin's request phase for
 * a three-target route under each strategy, and for a model only Veil resolved. Every target is healthy except in
 * {@code breaker}, where one circuit is open and the route is rebuilt without it. Sampled per call, so JMH reports
 * percentiles.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RoutingBenchmark {
    @Param({"ordered", "weighted", "least-latency", "lowest-cost", "resolved", "breaker"})
    String route;

    private static final List<Target> TARGETS = List.of(Target.parse("openai/gpt-4o"),
            Target.parse("deepseek/deepseek-chat"), Target.parse("anthropic/claude-sonnet-4-5"));

    private RequestPhase plugin;
    private BenchExchange exchange;
    private ChatRequest request;
    private Route resolved;

    @Setup
    public void setUp() {
        List<Map<String, String>> targets = TARGETS.stream().map(target -> Map.of("target", target.toString()))
                .toList();
        List<Map<String, String>> weighted = List.of(Map.of("target", "openai/gpt-4o", "weight", "90"),
                Map.of("target", "deepseek/deepseek-chat", "weight", "10"),
                Map.of("target", "anthropic/claude-sonnet-4-5", "weight", "0"));
        Map<String, Object> settings = Map.of(
                "prices", Map.of("openai/gpt-4o", Map.of("input", "2.5", "output", "10"),
                        "deepseek/deepseek-chat", Map.of("input", "0.27", "output", "1.1")),
                "routes", Map.of(
                        "ordered", Map.of("targets", targets, "context-fallbacks", List.of("openai/gpt-4.1")),
                        "breaker", Map.of("targets", targets),
                        "weighted", Map.of("strategy", "weighted", "sticky", "key", "targets", weighted),
                        "least-latency", Map.of("strategy", "least-latency", "targets", targets),
                        "lowest-cost", Map.of("strategy", "lowest-cost", "targets", targets)));
        Plugin created = new RoutingFactory().create(new PluginSettings("veil.plugins[0]", settings),
                new BenchContext());
        plugin = (RequestPhase) created;
        AttemptPhase attempts = (AttemptPhase) created;
        exchange = new BenchExchange();
        for (int i = 0; i < TARGETS.size(); i++) {
            attempts.onAttempt(new Attempt(TARGETS.get(i), Attempt.Result.SUCCEEDED, Duration.ofMillis(300 + 100L * i),
                    Optional.empty()), exchange);
        }
        if (route.equals("breaker")) {
            for (int i = 0; i < 5; i++) {
                attempts.onAttempt(new Attempt(TARGETS.get(0), Attempt.Result.OVERLOADED, Duration.ofMillis(50),
                        Optional.empty()), exchange);
            }
        }
        request = ChatRequest.of(route.equals("resolved") ? "gpt-4o" : route, List.of(
                ChatMessage.text(Role.SYSTEM, "You are a helpful assistant."),
                ChatMessage.text(Role.USER, "Summarise the attached incident report in three bullet points.")));
        resolved = Route.of(TARGETS);
    }

    @Benchmark
    public Optional<Route> decide() {
        exchange.put(Attributes.ROUTE, resolved);
        plugin.onRequest(request, exchange);
        return exchange.get(Attributes.ROUTE);
    }

    /** A minimal exchange: the benchmark measures the routing decision, not the server's exchange. */
    private static final class BenchExchange implements Exchange {
        private final Caller caller = new Caller("k_1", "acme", "support", Map.of());
        private final Map<AttributeKey<?>, Object> attributes = new HashMap<>();

        @Override
        public String requestId() {
            return "req_1";
        }

        @Override
        public String surface() {
            return "openai.chat";
        }

        @Override
        public Caller caller() {
            return caller;
        }

        @Override
        public boolean streaming() {
            return false;
        }

        @Override
        public Map<String, String> metadata() {
            return Map.of();
        }

        @Override
        public <T> Optional<T> get(AttributeKey<T> key) {
            return Optional.ofNullable(key.type().cast(attributes.get(key)));
        }

        @Override
        public <T> void put(AttributeKey<T> key, T value) {
            attributes.put(key, value);
        }
    }

    private static final class BenchContext implements PluginContext {
        @Override
        public String name() {
            return "routing";
        }

        @Override
        public System.Logger logger() {
            return System.getLogger("dev.veil.bench");
        }

        @Override
        public Path dataDir() {
            return Path.of("target/bench-data/routing");
        }

        @Override
        public List<ProviderInfo> providers() {
            return List.of(new ProviderInfo("openai", "openai", Optional.empty(), false),
                    new ProviderInfo("deepseek", "openai-compatible", Optional.empty(), false),
                    new ProviderInfo("anthropic", "anthropic", Optional.empty(), false));
        }
    }
}
