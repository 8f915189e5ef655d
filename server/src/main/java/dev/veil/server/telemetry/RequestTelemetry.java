package dev.veil.server.telemetry;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.veil.server.config.ModelAlias;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.TargetRef;
import dev.veil.server.config.VeilConfig;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.Outcome;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * The telemetry of one request: its server span — named per the GenAI semantic conventions, {@code chat {model}},
 * continuing the client's W3C {@code traceparent} when it sent one — the child span of authentication, and the
 * request metrics. Plugins, the policy check and each upstream attempt add their own child spans, which nest
 * because the server span is current while the request is served.
 */
public final class RequestTelemetry {
    private static final String SCOPE = "dev.veil.server";
    private static final TextMapGetter<Function<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> headers) {
            return List.of();
        }

        @Override
        public String get(Function<String, String> headers, String key) {
            return headers == null ? null : headers.apply(key);
        }
    };

    /** Seconds, from a cached answer (milliseconds) to a long reasoning stream (minutes). */
    public static final List<Double> SECONDS_BUCKETS = List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            5.0, 10.0, 30.0, 60.0, 120.0, 300.0);
    /** The GenAI semantic conventions' advice for token counts. */
    private static final List<Long> TOKEN_BUCKETS = List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L,
            262144L, 1048576L, 4194304L, 16777216L, 67108864L);
    /** What metrics record for a model that no config names: clients may type anything there. */
    static final String OTHER_MODEL = "other";

    private final Tracer tracer;
    private final Set<String> models;
    private final LongCounter requests;
    private final DoubleHistogram duration;
    private final DoubleHistogram firstEvent;
    private final LongHistogram tokens;
    private final DoubleCounter cost;

    /**
     * Records through {@code openTelemetry}; metrics label a request with its model only if {@code config} names
     * that model (an alias's target, a provider's listed model or deployment), so that the labels stay few and
     * nothing a client types becomes one.
     */
    public RequestTelemetry(OpenTelemetry openTelemetry, VeilConfig config) {
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.models = configuredModels(config);
        Meter meter = openTelemetry.getMeter(SCOPE);
        this.requests = meter.counterBuilder("veil.requests").setUnit("{request}")
                .setDescription("Requests served, by surface, status, provider and model").build();
        this.duration = meter.histogramBuilder("veil.request.duration").setUnit("s")
                .setExplicitBucketBoundariesAdvice(SECONDS_BUCKETS)
                .setDescription("Time from receiving a request to completing its answer").build();
        this.firstEvent = meter.histogramBuilder("gen_ai.server.time_to_first_token").setUnit("s")
                .setExplicitBucketBoundariesAdvice(SECONDS_BUCKETS)
                .setDescription("Time from receiving a streamed request to the provider's first event with content, "
                        + "by surface, provider and model").build();
        this.tokens = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs().setUnit("{token}")
                .setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS)
                .setDescription("Tokens per request, by type (input, output) and provider").build();
        this.cost = meter.counterBuilder("veil.cost").ofDoubles().setUnit("USD")
                .setDescription("What answers cost at the configured prices, by surface, status and provider").build();
    }

    private static Set<String> configuredModels(VeilConfig config) {
        Set<String> models = new HashSet<>();
        for (ModelAlias alias : config.models().values()) {
            alias.targets().stream().map(TargetRef::model).forEach(models::add);
        }
        for (ProviderConfig provider : config.providers().values()) {
            models.addAll(provider.models());
            models.addAll(provider.deployments().keySet());
        }
        return Set.copyOf(models);
    }

    /**
     * Records how long a streamed request waited for its first event.
     *
     * @param provider the semantic-convention name of the provider that answered
     * @param model the provider model that answered
     * @param nanos from the request's arrival to the first event
     */
    public void firstEvent(String surface, String provider, String model, long nanos) {
        firstEvent.record(nanos / 1e9, Attributes.of(GenAi.SURFACE, surface, GenAi.PROVIDER, provider,
                GenAi.RESPONSE_MODEL, metricModel(model)));
    }

    private String metricModel(String model) {
        return models.contains(model) ? model : OTHER_MODEL;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** Starts the server span of a request to {@code operation} on {@code surface}; make it current to nest. */
    public Span start(ServerRequest request, String operation, String surface, String requestId) {
        return start(name -> request.headers().first(HeaderNames.create(name)).orElse(null), operation, surface,
                requestId);
    }

    /** As {@link #start(ServerRequest, String, String, String)}, reading the request's headers by name. */
    public Span start(Function<String, String> headers, String operation, String surface, String requestId) {
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
        return tracer.spanBuilder(operation).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(GenAi.OPERATION, operation)
                .setAttribute(GenAi.SURFACE, surface)
                .setAttribute(GenAi.REQUEST_ID, requestId)
                .startSpan();
    }

    /**
     * Names the span for the model, once the request is parsed: {@code chat gpt-4o}, or {@code chat unknown} when
     * the name is not one Veil knows.
     *
     * @param known whether {@code model} is a configured alias or a model of a configured provider; the client may
     *     type anything into the field, personal data included, and only a name Veil knows is worth a span
     */
    public static void model(Span span, String operation, String model, boolean known) {
        String recorded = GenAi.model(model, known);
        span.updateName(operation + " " + recorded);
        span.setAttribute(GenAi.REQUEST_MODEL, recorded);
    }

    /** Runs authentication in its own child span. */
    public <T> T authenticate(Supplier<T> authenticate) {
        Span span = tracer.spanBuilder("veil.auth").startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return authenticate.get();
        } catch (VeilException e) {
            span.setStatus(StatusCode.ERROR);
            span.setAttribute(GenAi.ERROR_TYPE, e.kind().type());
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * Ends a request's span with what the exchange and its outcome say — counts, ids and codes, no content — and
     * records its metrics.
     *
     * @param provider the served provider's semantic-convention name, when a provider answered
     * @param finishReasons the answer's finish reasons, when known
     * @param costMicros what the answer cost at the configured prices, in micro-dollars
     */
    public void finish(Span span, Optional<? extends Exchange> exchange, Outcome outcome, Optional<String> provider,
                       List<String> finishReasons, long costMicros) {
        exchange.ifPresent(e -> annotate(span, e));
        span.setAttribute(GenAi.HTTP_STATUS, (long) outcome.status());
        provider.ifPresent(name -> span.setAttribute(GenAi.PROVIDER, name));
        outcome.provider().ifPresent(name -> span.setAttribute(GenAi.TARGET_PROVIDER, name));
        outcome.model().ifPresent(model -> span.setAttribute(GenAi.RESPONSE_MODEL, GenAi.model(model, true)));
        if (outcome.attempts() > 0) {
            span.setAttribute(GenAi.ATTEMPTS, (long) outcome.attempts());
        }
        outcome.usage().ifPresent(usage -> {
            span.setAttribute(GenAi.INPUT_TOKENS, usage.promptTokens());
            span.setAttribute(GenAi.OUTPUT_TOKENS, usage.completionTokens());
        });
        if (!finishReasons.isEmpty()) {
            span.setAttribute(GenAi.FINISH_REASONS, finishReasons);
        }
        outcome.error().ifPresent(kind -> {
            span.setAttribute(GenAi.ERROR_TYPE, kind.type());
            if (kind.status() >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
        });
        if (costMicros > 0) {
            span.setAttribute(GenAi.COST, costMicros / 1e6);
        }
        span.end();
        record(exchange.map(Exchange::surface).orElse("unknown"), outcome, provider, costMicros);
    }

    /**
     * Ends the span of a request that failed before it had an exchange (unauthenticated, unreadable).
     *
     * @param latency how long the request took, by the gateway's ticker
     */
    public void failed(Span span, VeilException error, Duration latency) {
        span.setAttribute(GenAi.HTTP_STATUS, (long) error.status());
        span.setAttribute(GenAi.ERROR_TYPE, error.kind().type());
        if (error.status() >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
        requests.add(1, Attributes.of(GenAi.HTTP_STATUS, (long) error.status()));
        duration.record(latency.toNanos() / 1e9, Attributes.of(GenAi.HTTP_STATUS,
                (long) error.status()));
    }

    private static void annotate(Span span, Exchange exchange) {
        span.setAttribute(GenAi.TENANT, exchange.caller().tenant());
        exchange.caller().user().ifPresent(user -> span.setAttribute(GenAi.USER, user));
        exchange.get(dev.veil.spi.plugin.Attributes.POLICY_DECISION_ID)
                .ifPresent(id -> span.setAttribute(GenAi.DECISION_ID, id));
        exchange.get(dev.veil.spi.plugin.Attributes.CACHE_STATUS).ifPresent(s -> span.setAttribute(GenAi.CACHE, s));
        exchange.get(dev.veil.spi.plugin.Attributes.PII_FINDINGS)
                .ifPresent(findings -> span.setAttribute(GenAi.REDACTIONS, findings.total()));
        if (exchange.get(dev.veil.spi.plugin.Attributes.ZERO_RETENTION).orElse(false)) {
            span.setAttribute(GenAi.ZERO_RETENTION, true);
        }
    }

    private void record(String surface, Outcome outcome, Optional<String> provider, long costMicros) {
        AttributesBuilder labels = Attributes.builder().put(GenAi.SURFACE, surface)
                .put(GenAi.HTTP_STATUS, (long) outcome.status());
        provider.ifPresent(name -> labels.put(GenAi.PROVIDER, name));
        outcome.model().ifPresent(model -> labels.put(GenAi.RESPONSE_MODEL, metricModel(model)));
        Attributes attributes = labels.build();
        requests.add(1, attributes);
        duration.record(outcome.latency().toNanos() / 1e9, attributes);
        if (costMicros > 0) {
            cost.add(costMicros / 1e6, attributes);
        }
        if (outcome.usage().isPresent() && provider.isPresent()) {
            Usage usage = outcome.usage().get();
            tokens.record(usage.promptTokens(), Attributes.of(GenAi.TOKEN_TYPE, "input", GenAi.PROVIDER,
                    provider.get()));
            tokens.record(usage.completionTokens(), Attributes.of(GenAi.TOKEN_TYPE, "output", GenAi.PROVIDER,
                    provider.get()));
        }
    }
}
