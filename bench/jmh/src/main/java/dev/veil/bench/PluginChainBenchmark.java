package dev.veil.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.veil.server.config.PluginEntry;
import dev.veil.server.plugins.PluginCatalog;
import dev.veil.server.plugins.PluginChain;
import dev.veil.server.core.ServerExchange;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.Usage;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import dev.veil.spi.plugin.PluginSettings;
import io.opentelemetry.api.OpenTelemetry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the plugin chain costs one request: exchange creation, then the request, intercept, response and completion
 * phases, with 0 plugins (the baseline) and with 4 no-op plugins that take part in all of them. Sampled per call, so
 * JMH reports percentiles.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PluginChainBenchmark {
    @Param({"0", "4"})
    int plugins;

    private PluginChain chain;
    private ChatRequest request;
    private ChatResponse response;
    private Outcome outcome;
    private final Caller caller = new Caller("k_1", "acme", "support", Map.of());

    @Setup
    public void setUp() {
        List<PluginEntry> entries = new ArrayList<>();
        for (int i = 0; i < plugins; i++) {
            entries.add(new PluginEntry(i, "no-op", false, PluginEntry.DEFAULT_TIMEOUT,
                    PluginSettings.empty("veil.plugins[" + i + "]")));
        }
        chain = PluginChain.create(entries, PluginCatalog.discover(Optional.empty()), Path.of("target/bench-data"),
                OpenTelemetry.noop());
        request = ChatRequest.of("smart", List.of(ChatMessage.text(Role.SYSTEM, "Be brief."),
                ChatMessage.text(Role.USER, "What is the capital of Norway?")));
        response = new ChatResponse("chatcmpl-1", 1_700_000_000L, "gpt-4o", List.of(new Choice(0,
                ChatMessage.text(Role.ASSISTANT, "Oslo."), Optional.of(FinishReason.STOP), Extensions.NONE)),
                Optional.of(Usage.of(20, 2)), Optional.empty(), Extensions.NONE);
        outcome = new Outcome(200, Optional.empty(), response.usage(), Duration.ofMillis(5), Optional.of("openai"),
                Optional.of("gpt-4o"), 1, false);
    }

    @Benchmark
    public ChatResponse request() {
        ServerExchange exchange = new ServerExchange("req_1", "openai.chat", caller, false, Map.of(),
                System.nanoTime());
        ChatRequest transformed = chain.onRequest(request, exchange);
        Optional<ChatResponse> intercepted = chain.intercept(transformed, exchange);
        ChatResponse answer = chain.onResponse(intercepted.orElse(response), exchange);
        chain.onCompletion(outcome, exchange);
        return answer;
    }
}
