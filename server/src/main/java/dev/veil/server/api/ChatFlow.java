package dev.veil.server.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.veil.server.audit.RequestAudit;
import dev.veil.server.config.TargetRef;
import dev.veil.server.dispatch.DispatchPlan;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.dispatch.ModelResolver;
import dev.veil.server.dispatch.ZeroRetention;
import dev.veil.server.keys.Metering;
import dev.veil.server.plugins.ServerExchange;
import dev.veil.server.policy.PolicyCheck;
import dev.veil.server.providers.ChatStream;
import dev.veil.server.telemetry.GenAi;
import dev.veil.server.telemetry.RequestTelemetry;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import dev.veil.spi.plugin.Route;
import dev.veil.spi.plugin.Target;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;

/**
 * The surface-independent path of a chat request, shared by every API surface: request phase, model resolution,
 * intercept phase, dispatch with failover, response or stream phase, completion phase. A surface parses its wire
 * format into a {@link ChatRequest}, calls {@link #admit}, then {@link #answer} or {@link #stream}, writes the result
 * in its own wire format, and reports how it ended with {@link #complete}.
 */
public final class ChatFlow {
    private final Gateway gateway;

    public ChatFlow(Gateway gateway) {
        this.gateway = gateway;
    }

    /**
     * A request ready to be answered.
     *
     * @param request the request as the request phase left it
     * @param plan the provider models that may answer, in order, and how hard to try them
     * @param intercepted a plugin's answer, when one answered
     */
    public record Admitted(ChatRequest request, DispatchPlan plan, Optional<ChatResponse> intercepted) {
    }

    /**
     * A complete answer.
     *
     * @param response the answer as the response phase left it
     * @param dispatched which provider answered, unless a plugin did
     */
    public record Answered(ChatResponse response, Optional<Dispatched<ChatResponse>> dispatched) {
    }

    /**
     * An answer being streamed; its first upstream event has arrived.
     *
     * @param stream the events as the stream phase passes them on; the caller must close it
     * @param dispatched which provider answers, unless a plugin did
     */
    public record Streaming(ChatStream stream, Optional<Dispatched<ChatStream>> dispatched) {
    }

    /** What one API surface contributes to serving a chat request: its credentials, wire format and error shape. */
    public interface Surface {
        /** The surface's name in exchanges and policy input, such as {@code openai.chat}. */
        String name();

        Caller authenticate(ServerRequest request);

        /** Parses a request body in the surface's wire format. */
        ChatRequest parse(byte[] body);

        /** Sends a complete answer. */
        void answer(ServerResponse response, ChatResponse answer);

        /** Relays a stream as the surface's server-sent events. */
        SseRelay.Relayed relay(ServerResponse response, ChatStream stream, ChatRequest request, String requestId);

        /** Sends an error in the surface's shape. */
        void fail(ServerResponse response, VeilException error);

        /**
         * A way to answer {@code admitted} without the canonical translation, when the surface has one for this
         * request (the Anthropic passthrough); empty for the translated path. {@code parsed} is the request as the
         * surface parsed it, before any phase ran.
         */
        default Optional<Direct> direct(ChatRequest parsed, Admitted admitted, ServerExchange exchange) {
            return Optional.empty();
        }
    }

    /** Answers an admitted request in place of {@link #answer} and {@link #stream}, with the same results. */
    public interface Direct {
        Answered answer();

        Streaming stream();
    }

    /**
     * Serves one chat request end to end on {@code surface}: authenticate, parse, admit, answer or stream, and report
     * the outcome to the completion phase whatever happened — all inside the request's server span.
     */
    public void serve(ServerRequest request, ServerResponse response, String requestId, Surface surface) {
        long start = System.nanoTime();
        Span span = gateway.telemetry().start(request, "chat", surface.name(), requestId);
        try (Scope ignored = span.makeCurrent()) {
            serve(request, response, requestId, surface, span, start);
        }
    }

    private void serve(ServerRequest request, ServerResponse response, String requestId, Surface surface, Span span,
                       long start) {
        ServerExchange exchange = null;
        Outcome outcome = null;
        VeilException unadmitted = null;
        Optional<? extends Dispatched<?>> served = Optional.empty();
        List<String> finishReasons = List.of();
        RequestAudit audit = RequestAudit.start(gateway.audit(), requestId, surface.name(),
                gateway.telemetry().tracer());
        Metering.Ticket ticket = null;
        try {
            Caller caller = gateway.telemetry().authenticate(() -> surface.authenticate(request));
            audit.caller(caller);
            ChatRequest chat = surface.parse(RequestBodies.read(request, gateway.config().maxRequestBytes()));
            RequestTelemetry.model(span, "chat", chat.model());
            audit.requested(chat.model());
            ticket = gateway.metering().admit(caller, chat, response::header);
            audit.pricing(ticket::costMicros);
            exchange = exchange(request, requestId, surface.name(), caller, chat.stream(), start);
            gateway.plugins().onExchange(exchange);
            audit.attach(exchange);
            Admitted admitted = admit(chat, exchange);
            audit.prompt(admitted.request());
            Responses.policy(response, exchange);
            Responses.cache(response, exchange);
            Optional<Direct> direct = surface.direct(chat, admitted, exchange);
            // The lambdas below need the exchange as an effectively final variable.
            ServerExchange opened = exchange;
            if (chat.stream()) {
                Streaming streaming = direct.map(Direct::stream).orElseGet(() -> stream(admitted, opened));
                served = streaming.dispatched();
                streaming.dispatched().ifPresent(d -> Responses.target(response, d));
                ChatStream metered = ticket.meter(streaming.stream(), streaming.dispatched().map(Dispatched::target));
                ChatStream audited = audit.recordingAtEnd(metered, exchange, usage ->
                        answered(opened, usage, streaming.dispatched(), Optional.empty(), false));
                SseRelay.Relayed relayed = surface.relay(response, audited, chat, requestId);
                outcome = answered(exchange, relayed.usage(), streaming.dispatched(),
                        relayed.error().map(VeilException::kind), relayed.clientGone());
                audit.record(exchange, outcome);
            } else {
                Answered answered = direct.map(Direct::answer).orElseGet(() -> answer(admitted, opened));
                served = answered.dispatched();
                finishReasons = answered.response().choices().stream()
                        .flatMap(choice -> choice.finishReason().stream()).map(FinishReason::wireName).toList();
                answered.dispatched().ifPresent(d -> Responses.target(response, d));
                ticket.costHeader(answered.response().usage(), answered.dispatched().map(Dispatched::target),
                        response::header);
                outcome = answered(exchange, answered.response().usage(), answered.dispatched(), Optional.empty(),
                        false);
                audit.record(exchange, outcome);
                surface.answer(response, answered.response());
            }
        } catch (VeilException e) {
            if (exchange != null) {
                Responses.policy(response, exchange);
                Responses.cache(response, exchange);
                outcome = failed(exchange, e);
            } else {
                unadmitted = e;
            }
            audit.recordFailure(exchange, outcome, e);
            surface.fail(response, e);
        } finally {
            if (ticket != null) {
                ticket.settle(Optional.ofNullable(outcome));
            }
            if (outcome != null) {
                complete(exchange, outcome);
                gateway.telemetry().finish(span, Optional.of(exchange), outcome, served.map(d -> providerName(gateway, d)),
                        finishReasons, ticket == null ? 0 : ticket.costMicros(outcome));
            } else if (unadmitted != null) {
                gateway.telemetry().failed(span, unadmitted, start);
            } else {
                span.setStatus(StatusCode.ERROR);
                span.end();
            }
        }
    }

    /** The semantic-convention name of the provider that answered. */
    static String providerName(Gateway gateway, Dispatched<?> dispatched) {
        return gateway.providers().get(dispatched.target().provider())
                .map(provider -> GenAi.providerName(provider.family())).orElse(dispatched.target().provider());
    }

    /**
     * The exchange of an authenticated, parsed request, with the client's request controls ({@code x-veil-metadata},
     * {@code x-veil-zero-retention}, {@code x-veil-cache}) applied.
     */
    public static ServerExchange exchange(ServerRequest request, String requestId, String surface, Caller caller,
                                          boolean streaming, long startNanos) {
        ServerExchange exchange = new ServerExchange(requestId, surface, caller, streaming,
                RequestControls.metadata(request), startNanos);
        if (RequestControls.zeroRetention(request)) {
            exchange.put(Attributes.ZERO_RETENTION, true);
            exchange.put(Attributes.ZERO_RETENTION_REASON, "header");
        }
        RequestControls.cache(request).ifPresent(control -> exchange.put(Attributes.CACHE_CONTROL, control));
        return exchange;
    }

    /**
     * Resolves the model into a route, runs the request phase (where a routing plugin may replace the route), asks
     * the policy (which may deny, narrow or reorder the targets and cap output tokens), keeps only providers that
     * retain nothing when zero retention applies, lets plugins apply the decision, and gives intercepting plugins
     * their chance — after the policy, so that an answer from a cache is checked like any other.
     */
    public Admitted admit(ChatRequest chat, ServerExchange exchange) {
        gateway.resolver().find(chat.model()).ifPresent(targets -> exchange.put(Attributes.ROUTE,
                Route.of(targets.stream().map(TargetRef::toTarget).toList())));
        ChatRequest request = gateway.plugins().onRequest(chat, exchange);
        Route route = exchange.get(Attributes.ROUTE).orElseThrow(() -> ModelResolver.notFound(chat.model()));
        List<TargetRef> targets = configured(route.targets());
        List<TargetRef> fallbacks = configured(route.contextFallbacks());
        List<TargetRef> candidates = new ArrayList<>(targets);
        fallbacks.stream().filter(target -> !candidates.contains(target)).forEach(candidates::add);
        PolicyCheck.Checked checked = gateway.policy().chat(request, candidates, exchange);
        List<TargetRef> permitted = ZeroRetention.eligible(checked.candidates(), exchange, gateway.providers());
        List<TargetRef> first = permitted.stream().filter(targets::contains).toList();
        List<TargetRef> larger = permitted.stream().filter(target -> !targets.contains(target)).toList();
        DispatchPlan plan = new DispatchPlan(first.isEmpty() ? larger : first, first.isEmpty() ? List.of() : larger,
                route.retries(), route.backoff(), route.deadline(),
                attempt -> gateway.plugins().onAttempt(attempt, exchange));
        ChatRequest decided = gateway.plugins().onDecision(ZeroRetention.storeNothing(checked.request(), exchange),
                exchange);
        return new Admitted(decided, plan, gateway.plugins().intercept(decided, exchange));
    }

    /** The route's targets as provider models; a plugin that routes to a provider Veil does not have is a bug. */
    private List<TargetRef> configured(List<Target> route) {
        List<TargetRef> targets = new ArrayList<>(route.size());
        for (Target target : route) {
            if (gateway.providers().get(target.provider()).isEmpty()) {
                throw new VeilException(ErrorKind.INTERNAL, "The route of this request names provider '"
                        + target.provider() + "', which is not configured; check the routing plugin's settings")
                        .withCode("route_invalid");
            }
            targets.add(TargetRef.of(target));
        }
        return targets;
    }

    /** Answers a non-streaming request: the interceptor's answer or a provider's, through the response phase. */
    public Answered answer(Admitted admitted, ServerExchange exchange) {
        Optional<Dispatched<ChatResponse>> dispatched = admitted.intercepted().isPresent() ? Optional.empty()
                : Optional.of(gateway.dispatcher().chat(admitted.request(), admitted.plan()));
        ChatResponse answer = admitted.intercepted().orElseGet(() -> dispatched.orElseThrow().result());
        exchange.get(RequestAudit.KEY).ifPresent(audit -> audit.answer(answer));
        return new Answered(gateway.plugins().onResponse(answer, exchange), dispatched);
    }

    /** Opens the answer stream: the interceptor's answer replayed, or a provider's stream, through the stream phase. */
    public Streaming stream(Admitted admitted, ServerExchange exchange) {
        Optional<Dispatched<ChatStream>> dispatched = admitted.intercepted().isPresent() ? Optional.empty()
                : Optional.of(gateway.dispatcher().stream(admitted.request(), admitted.plan()));
        ChatStream source = admitted.intercepted().<ChatStream>map(ResponseReplay::new)
                .orElseGet(() -> dispatched.orElseThrow().result());
        ChatStream tapped = exchange.get(RequestAudit.KEY).map(audit -> audit.tap(source)).orElse(source);
        return new Streaming(gateway.plugins().stream(tapped, admitted.request(), exchange), dispatched);
    }

    /** Tells the completion phase how the exchange ended. */
    public void complete(ServerExchange exchange, Outcome outcome) {
        gateway.plugins().onCompletion(outcome, exchange);
    }

    /** The outcome of an exchange that got an answer (for a stream: that started). */
    public static Outcome answered(ServerExchange exchange, Optional<Usage> usage,
                                   Optional<? extends Dispatched<?>> dispatched, Optional<ErrorKind> error,
                                   boolean clientGone) {
        return new Outcome(200, error, usage, elapsed(exchange), dispatched.map(d -> d.target().provider()),
                dispatched.map(d -> d.target().model()), dispatched.map(Dispatched::attempts).orElse(0), clientGone);
    }

    /** The outcome of an exchange that ended in an error response. */
    public static Outcome failed(ServerExchange exchange, VeilException error) {
        return new Outcome(error.status(), Optional.of(error.kind()), Optional.empty(), elapsed(exchange),
                Optional.empty(), Optional.empty(), 0, false);
    }

    private static Duration elapsed(ServerExchange exchange) {
        return Duration.ofNanos(System.nanoTime() - exchange.startNanos());
    }
}
