package dev.veil.server.plugins;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

import dev.veil.server.config.ConfigException;
import dev.veil.server.config.PluginEntry;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.Clocks;
import dev.veil.server.core.SafeThrowables;
import dev.veil.server.core.Ticker;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.AttemptPhase;
import dev.veil.spi.plugin.CompletionPhase;
import dev.veil.spi.plugin.DecisionPhase;
import dev.veil.spi.plugin.EmbeddingsPhase;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.ExchangePhase;
import dev.veil.spi.plugin.InterceptPhase;
import dev.veil.spi.plugin.Outcome;
import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.ProviderInfo;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.ResponsePhase;
import dev.veil.spi.plugin.StreamPhase;
import dev.veil.spi.plugin.StreamTransformer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;

/**
 * The configured plugins, ready to run. Which plugin takes part in which phase is worked out once, here, so that
 * a phase no plugin implements costs nothing on the request path. Request-side phases run in config order,
 * response-side phases in reverse.
 *
 * <p>Every call into a plugin is traced and guarded: it runs on a virtual thread of its own ({@link PluginCall}) and
 * is abandoned when it does not answer within the entry's {@code timeout}, so a plugin that blocks forever cannot hold
 * a request. A plugin that throws or times out fails the request with a clear error, or, with {@code fail-open:
 * true}, is skipped for that call. Either way it is logged by name, never with request content. Stream events are
 * the exception: a transformer runs on the request's thread, per event, and is checked against its timeout after
 * each event, since a hand-over per streamed event would cost more than most transformers take. A {@link VeilException} a plugin throws on purpose is a decision,
 * not a failure, and reaches the client as it is.
 */
public final class PluginChain implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(PluginChain.class.getName());

    /**
     * A plugin created from one config entry.
     *
     * @param entry the config entry
     * @param source the factory's catalog entry
     * @param plugin the instance
     */
    public record ConfiguredPlugin(PluginEntry entry, AvailablePlugin source, Plugin plugin) {
    }

    private final List<ConfiguredPlugin> plugins;
    private final List<AutoCloseable> gauges;
    private final List<GuardedPhase<ExchangePhase>> opening;
    private final List<GuardedPhase<RequestPhase>> request;
    private final List<GuardedPhase<EmbeddingsPhase>> embeddings;
    private final List<GuardedPhase<DecisionPhase>> decision;
    private final List<GuardedPhase<InterceptPhase>> intercept;
    private final List<GuardedPhase<AttemptPhase>> attempt;
    private final List<GuardedPhase<ResponsePhase>> response;
    private final List<GuardedPhase<StreamPhase>> stream;
    private final List<GuardedPhase<CompletionPhase>> completion;
    private final PluginTelemetry telemetry;
    private final Ticker ticker;

    private PluginChain(List<ConfiguredPlugin> plugins, PluginTelemetry telemetry, List<AutoCloseable> gauges,
                        Ticker ticker) {
        this.plugins = List.copyOf(plugins);
        this.ticker = ticker;
        this.gauges = List.copyOf(gauges);
        this.telemetry = telemetry;
        this.opening = stages(plugins, ExchangePhase.class, "exchange", telemetry, false);
        this.request = stages(plugins, RequestPhase.class, "request", telemetry, false);
        this.embeddings = stages(plugins, EmbeddingsPhase.class, "embeddings", telemetry, false);
        this.decision = stages(plugins, DecisionPhase.class, "decision", telemetry, false);
        this.intercept = stages(plugins, InterceptPhase.class, "intercept", telemetry, false);
        this.attempt = stages(plugins, AttemptPhase.class, "attempt", telemetry, false);
        this.response = stages(plugins, ResponsePhase.class, "response", telemetry, true);
        this.stream = stages(plugins, StreamPhase.class, "stream", telemetry, true);
        this.completion = stages(plugins, CompletionPhase.class, "completion", telemetry, true);
    }

    /** A chain without plugins. */
    public static PluginChain empty() {
        return new PluginChain(List.of(), new PluginTelemetry(OpenTelemetry.noop(), Ticker.system()), List.of(),
                Ticker.system());
    }

    /**
     * Creates every configured plugin. An unknown name or settings its plugin rejects stop startup with a
     * {@link ConfigException}.
     */
    public static PluginChain create(List<PluginEntry> entries, PluginCatalog catalog, Path dataDir,
                                     OpenTelemetry openTelemetry) {
        return create(entries, catalog, dataDir, openTelemetry, List.of());
    }

    /** As {@link #create(List, PluginCatalog, Path, OpenTelemetry)}, telling plugins which providers exist. */
    public static PluginChain create(List<PluginEntry> entries, PluginCatalog catalog, Path dataDir,
                                     OpenTelemetry openTelemetry, List<ProviderInfo> providers) {
        return create(entries, catalog, dataDir, openTelemetry, providers, Clocks.system());
    }

    /**
     * As {@link #create(List, PluginCatalog, Path, OpenTelemetry, List)}, on {@code clocks}: plugins read them through
     * their context, and stream plugins' events are timed against their timeouts on the ticker.
     */
    public static PluginChain create(List<PluginEntry> entries, PluginCatalog catalog, Path dataDir,
                                     OpenTelemetry openTelemetry, List<ProviderInfo> providers, Clocks clocks) {
        List<AutoCloseable> gauges = new ArrayList<>();
        List<ConfiguredPlugin> plugins = PluginStarter.start(entries, catalog, dataDir, openTelemetry, providers,
                clocks, gauges);
        return new PluginChain(plugins, new PluginTelemetry(openTelemetry, clocks.ticker()), gauges, clocks.ticker());
    }

    /** The plugins in config order. */
    public List<ConfiguredPlugin> plugins() {
        return plugins;
    }

    /** Runs the exchange phase: each plugin may record attributes about who asks, or reject the request. */
    public void onExchange(Exchange exchange) {
        for (GuardedPhase<ExchangePhase> stage : opening) {
            stage.run(phase -> phase.onExchange(exchange));
        }
    }

    /** Runs the request phase: each plugin may change or reject the request. */
    public ChatRequest onRequest(ChatRequest chat, Exchange exchange) {
        return transform(request, chat, (phase, input) -> phase.onRequest(input, exchange),
                span -> PluginTelemetry.findings(span, exchange));
    }

    /** Runs the embeddings phase: each plugin may change or reject an embeddings request. */
    public EmbeddingsRequest onEmbeddings(EmbeddingsRequest embeddingsRequest, Exchange exchange) {
        return transform(embeddings, embeddingsRequest, (phase, input) -> phase.onEmbeddings(input, exchange),
                span -> PluginTelemetry.findings(span, exchange));
    }

    /** Runs the decision phase: each plugin may apply the policy decision to the request, or reject it. */
    public ChatRequest onDecision(ChatRequest chat, Exchange exchange) {
        return transform(decision, chat, (phase, input) -> phase.onDecision(input, exchange), span -> {
        });
    }

    /**
     * Tells every attempt plugin how one attempt to reach a provider went. Their failures are logged and go no
     * further: an attempt has happened, and what a plugin makes of it must not change the answer.
     */
    public void onAttempt(Attempt outcome, Exchange exchange) {
        for (GuardedPhase<AttemptPhase> stage : attempt) {
            stage.runAfterTheFact(phase -> phase.onAttempt(outcome, exchange));
        }
    }

    /** Runs the intercept phase: the first plugin with an answer wins. */
    public Optional<ChatResponse> intercept(ChatRequest chat, Exchange exchange) {
        for (GuardedPhase<InterceptPhase> stage : intercept) {
            Optional<ChatResponse> answer = stage.call(() -> stage.phase.intercept(chat, exchange), Optional.empty());
            if (answer != null && answer.isPresent()) {
                return answer;
            }
        }
        return Optional.empty();
    }

    /** Runs the response phase, last plugin first. */
    public ChatResponse onResponse(ChatResponse answer, Exchange exchange) {
        return transform(response, answer, (phase, input) -> phase.onResponse(input, exchange), span -> {
        });
    }

    /**
     * Passes {@code value} through each stage's {@code step} in turn; a fail-open plugin that fails leaves the value
     * as it was.
     */
    private static <P, T> T transform(List<GuardedPhase<P>> stages, T value, BiFunction<P, T, T> step,
                                      Consumer<Span> annotate) {
        T current = value;
        for (GuardedPhase<P> stage : stages) {
            T input = current;
            current = stage.call(() -> step.apply(stage.phase, input), input, annotate);
        }
        return current;
    }

    /**
     * Whether every plugin of the response and stream phases may sit out {@code exchange}
     * ({@link dev.veil.spi.plugin.Plugin#leavesAnswerAlone}), so that the answer may be relayed untranslated. A
     * plugin that fails to answer, or times out, counts as a no (its failure is logged by name).
     */
    public boolean leaveAnswerAlone(Exchange exchange) {
        for (GuardedPhase<ResponsePhase> stage : response) {
            if (!asks(stage, () -> stage.phase.leavesAnswerAlone(exchange))) {
                return false;
            }
        }
        for (GuardedPhase<StreamPhase> stage : stream) {
            if (!asks(stage, () -> stage.phase.leavesAnswerAlone(exchange))) {
                return false;
            }
        }
        return true;
    }

    /** A question whose failure means no: the safe answer costs only the translation. */
    private static boolean asks(GuardedPhase<?> stage, Supplier<Boolean> question) {
        try {
            return Boolean.TRUE.equals(stage.call(question, Boolean.FALSE));
        } catch (VeilException e) {
            return false;
        }
    }

    /**
     * Puts the stream phase between the upstream stream and the client; returns {@code upstream} itself when no
     * plugin takes part, so a chain without stream plugins costs nothing per event.
     */
    public ChatStream stream(ChatStream upstream, ChatRequest chat, Exchange exchange) {
        if (stream.isEmpty()) {
            return upstream;
        }
        List<PluginStream.Transformer> transformers = new ArrayList<>(stream.size());
        for (GuardedPhase<StreamPhase> stage : stream) {
            StreamTransformer transformer = stage.call(() -> stage.phase.openStream(chat, exchange),
                    StreamTransformer.PASS_THROUGH);
            if (transformer != null && transformer != StreamTransformer.PASS_THROUGH) {
                transformers.add(new PluginStream.Transformer(stage, transformer, ticker));
            }
        }
        return transformers.isEmpty() ? upstream : new PluginStream(upstream, transformers);
    }

    /**
     * Tells every completion plugin how the exchange ended; their failures are logged and go no further. Counts the
     * exchange's cache lookup ({@code veil.cache.lookups}) first, whichever plugin did it.
     */
    public void onCompletion(Outcome outcome, Exchange exchange) {
        telemetry.cacheLookup(exchange);
        for (GuardedPhase<CompletionPhase> stage : completion) {
            stage.runAfterTheFact(phase -> phase.onCompletion(outcome, exchange));
        }
    }

    @Override
    public void close() {
        for (AutoCloseable gauge : gauges) {
            try {
                gauge.close();
            } catch (Exception e) {
                LOGGER.fine(() -> "a plugin gauge failed to close: " + SafeThrowables.describe(e));
            }
        }
        for (ConfiguredPlugin plugin : plugins) {
            try {
                PluginClassLoader.withContextLoader(plugin.source().loader(), () -> {
                    plugin.plugin().close();
                    return null;
                });
            } catch (RuntimeException e) {
                LOGGER.warning(() -> "plugin " + plugin.entry().key() + " '" + plugin.entry().name()
                        + "' failed to close: " + SafeThrowables.describe(e));
            }
        }
    }

    private static <P> List<GuardedPhase<P>> stages(List<ConfiguredPlugin> plugins, Class<P> phase, String phaseName,
                                            PluginTelemetry telemetry, boolean reverse) {
        List<GuardedPhase<P>> stages = new ArrayList<>();
        for (ConfiguredPlugin plugin : plugins) {
            if (phase.isInstance(plugin.plugin())) {
                stages.add(new GuardedPhase<>(plugin, phase.cast(plugin.plugin()), phaseName, telemetry));
            }
        }
        if (reverse) {
            Collections.reverse(stages);
        }
        return List.copyOf(stages);
    }
}
