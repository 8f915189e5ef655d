package dev.veil.server.plugins;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import dev.veil.server.config.ConfigException;
import dev.veil.server.config.PluginEntry;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.SafeThrowables;
import dev.veil.server.core.Ticker;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.ErrorKind;
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
import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.ProviderInfo;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.ResponsePhase;
import dev.veil.spi.plugin.StreamPhase;
import dev.veil.spi.plugin.StreamTransformer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

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
    private final List<Stage<ExchangePhase>> opening;
    private final List<Stage<RequestPhase>> request;
    private final List<Stage<EmbeddingsPhase>> embeddings;
    private final List<Stage<DecisionPhase>> decision;
    private final List<Stage<InterceptPhase>> intercept;
    private final List<Stage<AttemptPhase>> attempt;
    private final List<Stage<ResponsePhase>> response;
    private final List<Stage<StreamPhase>> stream;
    private final List<Stage<CompletionPhase>> completion;
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
        return new PluginChain(List.of(), new PluginTelemetry(OpenTelemetry.noop()), List.of(), Ticker.system());
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
        return create(entries, catalog, dataDir, openTelemetry, providers, Ticker.system());
    }

    /**
     * As {@link #create(List, PluginCatalog, Path, OpenTelemetry, List)}, timing stream plugins' events against their
     * timeouts on {@code ticker}.
     */
    public static PluginChain create(List<PluginEntry> entries, PluginCatalog catalog, Path dataDir,
                                     OpenTelemetry openTelemetry, List<ProviderInfo> providers, Ticker ticker) {
        List<AutoCloseable> gauges = new ArrayList<>();
        List<ConfiguredPlugin> plugins = new ArrayList<>(entries.size());
        for (PluginEntry entry : entries) {
            AvailablePlugin source = catalog.get(entry.name()).orElseThrow(() -> new ConfigException(
                    entry.key() + ".name", "no plugin named '" + entry.name() + "'; available: "
                    + catalog.all().stream().map(AvailablePlugin::name).collect(Collectors.joining(", "))
                    + " (drop-in JARs go in veil.plugins-dir)"));
            Plugin plugin = withLoader(source.loader(), () -> {
                try {
                    return source.factory().create(entry.settings(), new Context(entry, dataDir, providers,
                            openTelemetry, gauges));
                } catch (PluginConfigException e) {
                    throw ConfigException.described(e.getMessage());
                } catch (RuntimeException | LinkageError e) {
                    throw new ConfigException(entry.key(), "plugin '" + entry.name() + "' failed to start ("
                            + e.getClass().getSimpleName() + ")");
                }
            });
            if (plugin == null) {
                throw new ConfigException(entry.key(), "plugin '" + entry.name() + "' created nothing");
            }
            plugins.add(new ConfiguredPlugin(entry, source, plugin));
            LOGGER.info(() -> "plugin " + entry.key() + " '" + entry.name() + "' " + source.factory().version()
                    + " from " + source.source() + (entry.failOpen() ? ", fail-open" : "") + ", timeout "
                    + entry.timeout().toMillis() + " ms");
        }
        return new PluginChain(plugins, new PluginTelemetry(openTelemetry), gauges, ticker);
    }

    /** The plugins in config order. */
    public List<ConfiguredPlugin> plugins() {
        return plugins;
    }

    /** Runs the exchange phase: each plugin may record attributes about who asks, or reject the request. */
    public void onExchange(Exchange exchange) {
        for (Stage<ExchangePhase> stage : opening) {
            stage.run(phase -> phase.onExchange(exchange));
        }
    }

    /** Runs the request phase: each plugin may change or reject the request. */
    public ChatRequest onRequest(ChatRequest chat, Exchange exchange) {
        ChatRequest current = chat;
        for (Stage<RequestPhase> stage : request) {
            ChatRequest input = current;
            current = stage.call(() -> stage.phase.onRequest(input, exchange), input,
                    span -> PluginTelemetry.findings(span, exchange));
        }
        return current;
    }

    /** Runs the embeddings phase: each plugin may change or reject an embeddings request. */
    public EmbeddingsRequest onEmbeddings(EmbeddingsRequest embeddingsRequest, Exchange exchange) {
        EmbeddingsRequest current = embeddingsRequest;
        for (Stage<EmbeddingsPhase> stage : embeddings) {
            EmbeddingsRequest input = current;
            current = stage.call(() -> stage.phase.onEmbeddings(input, exchange), input,
                    span -> PluginTelemetry.findings(span, exchange));
        }
        return current;
    }

    /** Runs the decision phase: each plugin may apply the policy decision to the request, or reject it. */
    public ChatRequest onDecision(ChatRequest chat, Exchange exchange) {
        ChatRequest current = chat;
        for (Stage<DecisionPhase> stage : decision) {
            ChatRequest input = current;
            current = stage.call(() -> stage.phase.onDecision(input, exchange), input);
        }
        return current;
    }

    /**
     * Tells every attempt plugin how one attempt to reach a provider went. Their failures are logged and go no
     * further: an attempt has happened, and what a plugin makes of it must not change the answer.
     */
    public void onAttempt(Attempt outcome, Exchange exchange) {
        for (Stage<AttemptPhase> stage : attempt) {
            stage.runAfterTheFact(phase -> phase.onAttempt(outcome, exchange));
        }
    }

    /** Runs the intercept phase: the first plugin with an answer wins. */
    public Optional<ChatResponse> intercept(ChatRequest chat, Exchange exchange) {
        for (Stage<InterceptPhase> stage : intercept) {
            Optional<ChatResponse> answer = stage.call(() -> stage.phase.intercept(chat, exchange), Optional.empty());
            if (answer != null && answer.isPresent()) {
                return answer;
            }
        }
        return Optional.empty();
    }

    /** Runs the response phase, last plugin first. */
    public ChatResponse onResponse(ChatResponse answer, Exchange exchange) {
        ChatResponse current = answer;
        for (Stage<ResponsePhase> stage : response) {
            ChatResponse input = current;
            current = stage.call(() -> stage.phase.onResponse(input, exchange), input);
        }
        return current;
    }

    /**
     * Whether every plugin of the response and stream phases may sit out {@code exchange}
     * ({@link dev.veil.spi.plugin.Plugin#leavesAnswerAlone}), so that the answer may be relayed untranslated. A
     * plugin that fails to answer, or times out, counts as a no (its failure is logged by name).
     */
    public boolean leaveAnswerAlone(Exchange exchange) {
        for (Stage<ResponsePhase> stage : response) {
            if (!asks(stage, () -> stage.phase.leavesAnswerAlone(exchange))) {
                return false;
            }
        }
        for (Stage<StreamPhase> stage : stream) {
            if (!asks(stage, () -> stage.phase.leavesAnswerAlone(exchange))) {
                return false;
            }
        }
        return true;
    }

    /** A question whose failure means no: the safe answer costs only the translation. */
    private static boolean asks(Stage<?> stage, Supplier<Boolean> question) {
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
        for (Stage<StreamPhase> stage : stream) {
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
        for (Stage<CompletionPhase> stage : completion) {
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
                withLoader(plugin.source().loader(), () -> {
                    plugin.plugin().close();
                    return null;
                });
            } catch (RuntimeException e) {
                LOGGER.warning(() -> "plugin " + plugin.entry().key() + " '" + plugin.entry().name()
                        + "' failed to close: " + SafeThrowables.describe(e));
            }
        }
    }

    private static <P> List<Stage<P>> stages(List<ConfiguredPlugin> plugins, Class<P> phase, String phaseName,
                                            PluginTelemetry telemetry, boolean reverse) {
        List<Stage<P>> stages = new ArrayList<>();
        for (ConfiguredPlugin plugin : plugins) {
            if (phase.isInstance(plugin.plugin())) {
                stages.add(new Stage<>(plugin, phase.cast(plugin.plugin()), phaseName, telemetry));
            }
        }
        if (reverse) {
            Collections.reverse(stages);
        }
        return List.copyOf(stages);
    }

    static <T> T withLoader(Optional<ClassLoader> loader, Supplier<T> call) {
        if (loader.isEmpty()) {
            return call.get();
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader.get());
        try {
            return call.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** One plugin's part in one phase, with the guard every call goes through. */
    static final class Stage<P> {
        final P phase;
        private final ConfiguredPlugin plugin;
        private final String phaseName;
        private final String spanName;
        private final long timeoutNanos;
        private final PluginTelemetry telemetry;

        Stage(ConfiguredPlugin plugin, P phase, String phaseName, PluginTelemetry telemetry) {
            this.plugin = plugin;
            this.phase = phase;
            this.phaseName = phaseName;
            this.spanName = "veil.plugin " + plugin.entry().name() + " " + phaseName;
            this.timeoutNanos = plugin.entry().timeout().toNanos();
            this.telemetry = telemetry;
        }

        /**
         * Calls into the plugin; returns what it returned, or {@code skipped} when it failed or timed out and is
         * fail-open.
         */
        <T> T call(Supplier<T> call, T skipped) {
            return call(call, skipped, span -> {
            });
        }

        /** Calls a phase that returns nothing, under the same guard as {@link #call(Supplier, Object)}. */
        void run(Consumer<P> call) {
            call(() -> {
                call.accept(phase);
                return Boolean.TRUE;
            }, Boolean.FALSE);
        }

        /**
         * As {@link #run}, for phases that only learn what already happened (an attempt, the outcome): a failure is
         * logged by the guard and goes no further, since the request has moved on and must keep its answer.
         */
        void runAfterTheFact(Consumer<P> call) {
            try {
                run(call);
            } catch (VeilException e) {
                // Logged by the guard.
            }
        }

        /** As {@link #call(Supplier, Object)}, letting {@code annotate} add attributes to a successful call's span. */
        <T> T call(Supplier<T> call, T skipped, Consumer<Span> annotate) {
            Span span = telemetry.start(spanName, plugin.entry().name(), phaseName);
            T result;
            try (Scope ignored = span.makeCurrent()) {
                result = PluginCall.within(timeoutNanos, () -> withLoader(plugin.source().loader(), call));
            } catch (VeilException e) {
                PluginTelemetry.end(span, PluginTelemetry.Outcome.REJECTED);
                throw e;
            } catch (PluginCall.TimedOut e) {
                return failed(span, skipped, "did not answer within its timeout of " + timeoutNanos / 1_000_000
                        + " ms and was abandoned", PluginTelemetry.Outcome.TIMED_OUT, null);
            } catch (RuntimeException | LinkageError e) {
                return failed(span, skipped, "failed: " + SafeThrowables.describe(e), PluginTelemetry.Outcome.FAILED,
                        "failed");
            }
            annotate.accept(span);
            PluginTelemetry.end(span, PluginTelemetry.Outcome.OK);
            return result;
        }

        /** Applies the failure policy to a failure found outside {@link #call}, such as in a stream event. */
        void checkEvent(long elapsedNanos) {
            if (elapsedNanos > timeoutNanos) {
                log("took " + elapsedNanos / 1_000_000 + " ms on a stream event, over its timeout of "
                        + timeoutNanos / 1_000_000 + " ms");
                if (!plugin.entry().failOpen()) {
                    throw timedOut();
                }
            }
        }

        /** Logs a stream-event failure and applies the policy; returns normally only when fail-open. */
        void eventFailed(Throwable e) {
            log("failed on a stream event: " + SafeThrowables.describe(e));
            if (!plugin.entry().failOpen()) {
                throw failure("failed");
            }
        }

        boolean failOpen() {
            return plugin.entry().failOpen();
        }

        String name() {
            return plugin.entry().name();
        }

        Optional<ClassLoader> loader() {
            return plugin.source().loader();
        }

        PluginTelemetry telemetry() {
            return telemetry;
        }

        String spanName() {
            return spanName;
        }

        /** Logs a failure and applies the fail mode; {@code summary} is null for a timeout. */
        private <T> T failed(Span span, T skipped, String what, PluginTelemetry.Outcome outcome, String summary) {
            log(what);
            if (plugin.entry().failOpen()) {
                PluginTelemetry.end(span, PluginTelemetry.Outcome.SKIPPED);
                return skipped;
            }
            PluginTelemetry.end(span, outcome);
            throw summary == null ? timedOut() : failure(summary);
        }

        private void log(String what) {
            if (LOGGER.isLoggable(Level.WARNING)) {
                LOGGER.warning("plugin " + plugin.entry().key() + " '" + plugin.entry().name() + "' " + phaseName
                        + " phase " + what + (plugin.entry().failOpen() ? "; skipped (fail-open)" : ""));
            }
        }

        /** The client's error for a call that timed out: retryable, since the plugin may answer next time. */
        private VeilException timedOut() {
            return new VeilException(ErrorKind.UNAVAILABLE, "plugin '" + plugin.entry().name() + "' did not answer "
                    + "within its timeout in the " + phaseName + " phase; the request was not completed")
                    .withCode("plugin_timeout");
        }

        private VeilException failure(String summary) {
            return new VeilException(ErrorKind.INTERNAL, "plugin '" + plugin.entry().name() + "' " + summary
                    + " in the " + phaseName + " phase; the request was not completed").withCode("plugin_failed");
        }
    }

    /** What a plugin may use of the host. */
    private static final class Context implements PluginContext {
        private final PluginEntry entry;
        private final Path dataDir;
        private final List<ProviderInfo> providers;
        private final Meter meter;
        private final List<AutoCloseable> gauges;
        private final Path positionalDir;

        Context(PluginEntry entry, Path dataDir, List<ProviderInfo> providers, OpenTelemetry openTelemetry,
                List<AutoCloseable> gauges) {
            this.entry = entry;
            this.providers = List.copyOf(providers);
            this.meter = openTelemetry.getMeter("dev.veil.plugin." + entry.name());
            this.gauges = gauges;
            // Keyed by name, so that reordering the plugin list keeps each plugin's state.
            this.dataDir = dataDir.resolve("plugins").resolve(entry.name());
            this.positionalDir = dataDir.resolve("plugins").resolve(entry.name() + "-" + entry.index());
        }

        @Override
        public String name() {
            return entry.name();
        }

        @Override
        public System.Logger logger() {
            return System.getLogger("dev.veil.plugin." + entry.name());
        }

        @Override
        public List<ProviderInfo> providers() {
            return providers;
        }

        @Override
        public void gauge(String name, String description, Supplier<Map<Map<String, String>, Long>> values) {
            gauges.add(meter.gaugeBuilder(name).setDescription(description).ofLongs().buildWithCallback(
                    measurement -> values.get().forEach((attributes, value) -> {
                        AttributesBuilder builder = io.opentelemetry.api.common.Attributes.builder();
                        attributes.forEach(builder::put);
                        measurement.record(value, builder.build());
                    })));
        }

        @Override
        public Path dataDir() {
            try {
                if (!Files.exists(dataDir) && Files.isDirectory(positionalDir)) {
                    // Veil before 0.2 keyed the directory by list position too: carry its state over once.
                    Files.move(positionalDir, dataDir);
                }
                return Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the plugin data dir " + dataDir, e);
            }
        }
    }
}
