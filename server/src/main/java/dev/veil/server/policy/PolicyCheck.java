package dev.veil.server.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.logging.Logger;

import dev.veil.server.accounting.PriceTable;
import dev.veil.server.config.OpaConfig;
import dev.veil.server.config.TargetRef;
import dev.veil.server.core.Ticker;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.SamplingParameters;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.PolicyReasons;
import dev.veil.spi.plugin.RedactionObligations;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * Asks the policy for a decision on every request and obeys it: a denial is a 403 carrying the policy's reasons;
 * the decision may narrow or reorder the candidates (never add to them), cap output tokens, and require zero
 * retention, which also removes candidates that retain data. When OPA cannot decide, the fail mode applies: closed
 * refuses the request with a 503, open lets it through and marks the exchange.
 */
public final class PolicyCheck implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(PolicyCheck.class.getName());

    private static final AttributeKey<Boolean> ALLOWED = AttributeKey.booleanKey("veil.policy.allowed");
    private static final AttributeKey<Boolean> CACHED = AttributeKey.booleanKey("veil.policy.cached");
    private static final AttributeKey<String> DECISION_ID = AttributeKey.stringKey("veil.policy.decision_id");
    private static final AttributeKey<String> REVISION = AttributeKey.stringKey("veil.policy.revision");
    private static final AttributeKey<String> RESULT = AttributeKey.stringKey("result");
    /** Seconds: a cached decision takes microseconds, a call to OPA on loopback about a millisecond. */
    private static final List<Double> SECONDS_BUCKETS = List.of(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
            0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5);

    private final Optional<OpaPolicyClient> client;
    private final Optional<DecisionCache> cache;
    private final boolean failOpen;
    private final PolicyInput input;
    private final ProviderRegistry providers;
    private final Tracer tracer;
    private final Ticker ticker;
    private final LongCounter decisions;
    private final DoubleHistogram duration;

    private PolicyCheck(Optional<OpaPolicyClient> client, Optional<DecisionCache> cache, boolean failOpen,
                        ProviderRegistry providers, PriceTable prices, OpenTelemetry openTelemetry, Ticker ticker) {
        this.client = client;
        this.tracer = openTelemetry.getTracer("dev.veil.server");
        this.ticker = ticker;
        Meter meter = openTelemetry.getMeter("dev.veil.server");
        this.decisions = meter.counterBuilder("veil.policy.decisions").setUnit("{decision}")
                .setDescription("Policy decisions by result (allow, deny, unavailable) and whether the decision "
                        + "cache answered").build();
        this.duration = meter.histogramBuilder("veil.policy.duration").setUnit("s")
                .setExplicitBucketBoundariesAdvice(SECONDS_BUCKETS)
                .setDescription("Time to a policy decision, cached or from OPA").build();
        this.cache = cache;
        this.failOpen = failOpen;
        this.input = new PolicyInput(providers, prices);
        this.providers = providers;
    }

    /** Checks requests against {@code opa}, or lets everything through when policy checks are off. */
    public static PolicyCheck create(Optional<OpaConfig> opa, ProviderRegistry providers) {
        return create(opa, providers, new PriceTable(List.of()), OpenTelemetry.noop(), Ticker.system());
    }

    /**
     * As {@link #create(Optional, ProviderRegistry)}, telling the policy each candidate's price, tracing each check,
     * and aging cached decisions by {@code ticker}.
     */
    public static PolicyCheck create(Optional<OpaConfig> opa, ProviderRegistry providers, PriceTable prices,
                                     OpenTelemetry openTelemetry, Ticker ticker) {
        if (opa.isEmpty()) {
            LOGGER.warning("policy checks are OFF (veil.opa.enabled: false): requests reach providers unchecked, and "
                    + "every response carries x-veil-policy: off");
            return new PolicyCheck(Optional.empty(), Optional.empty(), false, providers, prices, openTelemetry,
                    ticker);
        }
        OpaConfig config = opa.get();
        Optional<DecisionCache> cache = config.cacheEntries() > 0
                ? Optional.of(new DecisionCache(config.cacheEntries(), config.exactTtl(), config.maxPolicyTtl(),
                        ticker::nanos))
                : Optional.empty();
        OpaPolicyClient client = new OpaPolicyClient(config, () -> cache.ifPresent(DecisionCache::clear));
        return new PolicyCheck(Optional.of(client), cache, config.failOpen(), providers, prices, openTelemetry,
                ticker);
    }

    /** Whether requests are checked at all: false only under {@code veil.opa.enabled: false}. */
    public boolean enabled() {
        return client.isPresent();
    }

    /**
     * A chat request as the policy allows it.
     *
     * @param request the request, its output limit capped when the policy says so
     * @param clearance the candidates the policy permits, in its order
     */
    public record Checked(ChatRequest request, Clearance clearance) {
    }

    public Checked chat(ChatRequest request, List<TargetRef> candidates, Exchange exchange) {
        if (client.isEmpty()) {
            return new Checked(request, new Clearance(candidates));
        }
        Optional<Decision> decision = decide(input.chat(request, candidates, exchange), exchange);
        if (decision.isEmpty()) {
            return new Checked(request, new Clearance(candidates));
        }
        List<TargetRef> permitted = obey(decision.get(), candidates, exchange);
        return new Checked(capped(request, decision.get().maxTokens()), new Clearance(permitted));
    }

    public Clearance embeddings(EmbeddingsRequest request, List<TargetRef> candidates, Exchange exchange) {
        if (client.isEmpty()) {
            return new Clearance(candidates);
        }
        return new Clearance(decide(input.embeddings(request, candidates, exchange), exchange)
                .map(decision -> obey(decision, candidates, exchange)).orElse(candidates));
    }

    /** The decision, or empty when OPA could not decide and the fail mode is open. */
    private Optional<Decision> decide(byte[] document, Exchange exchange) {
        Span span = tracer.spanBuilder("veil.policy").startSpan();
        try (Scope ignored = span.makeCurrent()) {
            Optional<Decision> decision = decideTraced(document, exchange, span);
            decision.ifPresent(d -> span.setAttribute(ALLOWED, d.allow()));
            return decision;
        } catch (VeilException e) {
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            exchange.get(Attributes.POLICY_DECISION_ID).ifPresent(id -> span.setAttribute(DECISION_ID, id));
            exchange.get(Attributes.POLICY_REVISION).ifPresent(revision -> span.setAttribute(REVISION, revision));
            span.end();
        }
    }

    private Optional<Decision> decideTraced(byte[] document, Exchange exchange, Span span) {
        long start = ticker.nanos();
        boolean cached = false;
        try {
            long asked = cache.map(DecisionCache::generation).orElse(0L);
            Decision decision = cache.map(decisions -> decisions.get(document)).orElse(null);
            cached = decision != null;
            span.setAttribute(CACHED, cached);
            if (decision == null) {
                decision = client.orElseThrow().decide(document);
                if (cache.isPresent()) {
                    cache.get().put(document, decision, asked);
                }
            }
            measure(decision.allow() ? "allow" : "deny", cached, start);
            decision.decisionId().ifPresent(id -> exchange.put(Attributes.POLICY_DECISION_ID, id));
            decision.revision().ifPresent(revision -> exchange.put(Attributes.POLICY_REVISION, revision));
            return Optional.of(decision);
        } catch (PolicyUnavailableException e) {
            measure("unavailable", cached, start);
            if (failOpen) {
                LOGGER.warning(() -> "request " + exchange.requestId() + " served unchecked (veil.opa.fail-mode: "
                        + "open): " + e.getMessage());
                exchange.put(Attributes.POLICY_FAILED_OPEN, true);
                return Optional.empty();
            }
            LOGGER.warning(() -> "request " + exchange.requestId() + " refused: " + e.getMessage());
            throw new VeilException(ErrorKind.UNAVAILABLE, "The policy engine could not decide on this request, so "
                    + "it was refused (veil.opa.fail-mode is closed); retry later or ask an operator to check OPA")
                    .withCode("policy_unavailable");
        }
    }

    private void measure(String result, boolean cached, long start) {
        io.opentelemetry.api.common.Attributes labels = io.opentelemetry.api.common.Attributes.of(RESULT, result,
                CACHED, cached);
        decisions.add(1, labels);
        duration.record((ticker.nanos() - start) / 1e9, labels);
    }

    private List<TargetRef> obey(Decision decision, List<TargetRef> candidates, Exchange exchange) {
        if (!decision.allow()) {
            exchange.put(Attributes.POLICY_REASONS, PolicyReasons.of(decision.reasons()));
            String reasons = decision.reasons().isEmpty() ? "no reason given" : String.join("; ", decision.reasons());
            throw new VeilException(ErrorKind.PERMISSION_DENIED, "Request denied by policy: " + reasons)
                    .withCode("policy_denied");
        }
        if (!decision.redact().isEmpty()) {
            exchange.put(Attributes.POLICY_REDACT, RedactionObligations.of(decision.redact()));
        }
        decision.conversationState().ifPresent(state -> exchange.put(ConversationState.KEY, state));
        List<TargetRef> permitted = decision.targets().map(targets -> targets.stream()
                .filter(candidates::contains).distinct().toList()).orElse(candidates);
        if (decision.zeroRetention().orElse(false)) {
            if (!exchange.get(Attributes.ZERO_RETENTION).orElse(false)) {
                exchange.put(Attributes.ZERO_RETENTION_REASON, "policy");
            }
            exchange.put(Attributes.ZERO_RETENTION, true);
            permitted = permitted.stream().filter(providers::retainsNothing).toList();
        }
        if (permitted.isEmpty()) {
            throw new VeilException(ErrorKind.PERMISSION_DENIED, "Request denied by policy: no permitted provider "
                    + "can serve this request" + (decision.zeroRetention().orElse(false)
                    ? " (zero retention is required)" : "")).withCode("policy_denied");
        }
        return new ArrayList<>(permitted);
    }

    /** Lowers every output limit the request carries to the cap, or sets one when it carries none. */
    private static ChatRequest capped(ChatRequest request, OptionalInt cap) {
        if (cap.isEmpty()) {
            return request;
        }
        int limit = cap.getAsInt();
        SamplingParameters sampling = request.sampling();
        OptionalInt maxTokens = lowered(sampling.maxTokens(), limit);
        OptionalInt maxCompletionTokens = sampling.maxTokens().isEmpty() && sampling.maxCompletionTokens().isEmpty()
                ? OptionalInt.of(limit) : lowered(sampling.maxCompletionTokens(), limit);
        return request.withSampling(new SamplingParameters(sampling.temperature(), sampling.topP(), maxTokens,
                maxCompletionTokens, sampling.n(), sampling.presencePenalty(), sampling.frequencyPenalty()));
    }

    private static OptionalInt lowered(OptionalInt value, int limit) {
        return value.isPresent() ? OptionalInt.of(Math.min(value.getAsInt(), limit)) : value;
    }

    /** Closes the connections to OPA. */
    @Override
    public void close() {
        client.ifPresent(OpaPolicyClient::close);
    }
}
