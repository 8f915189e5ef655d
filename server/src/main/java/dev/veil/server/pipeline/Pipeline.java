package dev.veil.server.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.accounting.Metering;
import dev.veil.server.audit.RequestAudit;
import dev.veil.server.auth.Principal;
import dev.veil.server.config.TargetRef;
import dev.veil.server.conversations.PseudonymVault;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.SafeThrowables;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.dispatch.DispatchPlan;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.dispatch.ModelResolver;
import dev.veil.server.dispatch.ZeroRetention;
import dev.veil.server.policy.Clearance;
import dev.veil.server.policy.PolicyCheck;
import dev.veil.server.telemetry.GenAi;
import dev.veil.server.telemetry.RequestTelemetry;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import dev.veil.spi.plugin.Route;
import dev.veil.spi.plugin.Target;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * The one request pipeline every operation that can send data out runs through. Its stages, in order: authenticate →
 * admit (allowed models, rate limits, budget reservation) → exchange phase → request (or embeddings) phase → policy →
 * zero retention → decision phase → intercept → dispatch → response or stream phase → audit → completion.
 *
 * <p>A surface ({@link ChatSurface}, {@link EmbeddingsSurface}, {@link CountTokensSurface}) supplies only its
 * credentials, parser, writer and error shape. The pipeline owns the stages and closes audit, settlement, completion
 * and telemetry in one place for any {@link Throwable}: an authenticated request always leaves one audit record. A
 * provider is reachable only through a {@link DispatchPlan}, which only a policy {@link Clearance} can make, so a
 * surface cannot skip the policy stage.
 */
public final class Pipeline {
    /** The conversation the client named with {@code x-veil-conversation-id}. */
    static final AttributeKey<String> CONVERSATION_ID = AttributeKey.of("veil.conversation_id", String.class);

    private static final Logger LOGGER = Logger.getLogger(Pipeline.class.getName());

    private final Gateway gateway;

    public Pipeline(Gateway gateway) {
        this.gateway = gateway;
    }

    // What surfaces supply -------------------------------------------------------------------------------------

    /** What one API surface contributes to a request of type {@code R}: credentials, parser and error shape. */
    public interface Surface<R> {
        /** The surface's name in exchanges, policy input and audit records, such as {@code openai.chat}. */
        String name();

        /** Who sent the request: the caller, and what a token allows it. */
        Principal authenticate(ServerRequest request);

        /** Parses a request body in the surface's wire format. */
        R parse(byte[] body);

        /** Sends an error in the surface's shape, unless a response has already started. */
        void fail(ServerResponse response, VeilException error);

        /** Sets the surface's own request-id headers besides {@code x-veil-request-id}, before anything else. */
        default void identify(ServerResponse response, String requestId) {
        }

        /**
         * Sees the request's exchange once it exists, before any plugin does: a surface that carries state across
         * requests (the Responses API's conversations) puts it there for the phases to read, and keeps the exchange
         * to read what they decided.
         */
        default void exchange(ServerExchange exchange) {
        }
    }

    /** A surface that answers chat requests, as JSON or a stream. */
    public interface ChatSurface extends Surface<ChatRequest> {
        /** Sends a complete answer. */
        void answer(ServerResponse response, ChatResponse answer);

        /** Relays a stream as the surface's server-sent events; the relay owns and closes {@code stream}. */
        SseRelay.Relayed relay(ServerResponse response, ChatStream stream, ChatRequest request, String requestId);

        /**
         * A way to answer {@code admitted} without the canonical translation, when the surface has one for this
         * request (the Anthropic passthrough); empty for the translated path. {@code parsed} is the request as the
         * surface parsed it, before any phase ran.
         */
        default Optional<Direct> direct(ChatRequest parsed, Admitted admitted, ServerExchange exchange) {
            return Optional.empty();
        }
    }

    /** A surface that answers embeddings requests. */
    public interface EmbeddingsSurface extends Surface<EmbeddingsRequest> {
        void answer(ServerResponse response, EmbeddingsResponse answer);
    }

    /** A surface that counts a chat request's input tokens: metered as a request with no output. */
    public interface CountTokensSurface extends Surface<ChatRequest> {
        /** Counts the admitted request: exactly through a provider the plan permits, or by an estimate. */
        Counted count(ChatRequest parsed, Admitted admitted);

        void answer(ServerResponse response, Counted counted);
    }

    /**
     * A token count.
     *
     * @param body the answer in the surface's wire format
     * @param exact whether a provider counted (else Veil estimated)
     * @param dispatched which provider counted, when one did
     */
    public record Counted(byte[] body, boolean exact, Optional<Dispatched<byte[]>> dispatched) {
    }

    /**
     * A request the policy cleared, ready to be answered.
     *
     * @param request the request as the request and decision phases and the policy left it
     * @param plan the provider models that may answer, in order, and how hard to try them
     * @param intercepted a plugin's answer, when one answered
     * @param contentAsParsed whether the request and decision phases left the request as it was parsed (the
     *     policy's token cap and zero retention's storage marker aside), so its content may go out as the client wrote it
     */
    public record Admitted(ChatRequest request, DispatchPlan plan, Optional<ChatResponse> intercepted,
                           boolean contentAsParsed) {
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
     * @param stream the events as the stream phase passes them on; whoever relays it must close it
     * @param dispatched which provider answers, unless a plugin did
     */
    public record Streaming(ChatStream stream, Optional<Dispatched<ChatStream>> dispatched) {
    }

    /** Answers an admitted request in place of the translated path, with the same results. */
    public interface Direct {
        Answered answer();

        Streaming stream();
    }

    // Entry points ---------------------------------------------------------------------------------------------

    /**
     * The handler of a route that runs this pipeline. Only the pipeline makes one, so a route whose handler is an
     * {@code Endpoint} provably runs every stage; the route table refuses a route that reaches providers with any
     * other handler.
     */
    public static final class Endpoint implements Handler {
        private final BiConsumer<ServerRequest, ServerResponse> serve;

        private Endpoint(BiConsumer<ServerRequest, ServerResponse> serve) {
            this.serve = serve;
        }

        @Override
        public void handle(ServerRequest request, ServerResponse response) {
            serve.accept(request, response);
        }
    }

    /** A route handler serving chat requests on the surface {@code surfaces} makes for each request. */
    public Endpoint chat(Function<ServerRequest, ? extends ChatSurface> surfaces) {
        return endpoint(surfaces, "chat", chat -> new Estimate(chat.model(), chat.stream(), characters(chat),
                chat.sampling().outputTokenLimit()), this::chat);
    }

    /** A route handler serving embeddings requests on the surface {@code surfaces} makes for each request. */
    public Endpoint embeddings(Function<ServerRequest, ? extends EmbeddingsSurface> surfaces) {
        // Embeddings produce no output tokens: the reservation is the input alone.
        return endpoint(surfaces, "embeddings", embeddings -> new Estimate(embeddings.model(), false,
                characters(embeddings), OptionalInt.of(0)), this::embeddings);
    }

    /** A route handler serving token counts on the surface {@code surfaces} makes for each request. */
    public Endpoint countTokens(Function<ServerRequest, ? extends CountTokensSurface> surfaces) {
        return endpoint(surfaces, "count_tokens", chat -> new Estimate(chat.model(), false, characters(chat),
                OptionalInt.of(0)), this::count);
    }

    /** The stages after the exchange phase, which differ by the kind of request. */
    @FunctionalInterface
    private interface Stages<S, R> {
        void serve(S surface, R request, Serving serving);
    }

    private <R, S extends Surface<R>> Endpoint endpoint(Function<ServerRequest, ? extends S> surfaces,
                                                        String operation, Function<R, Estimate> estimate,
                                                        Stages<S, R> stages) {
        return new Endpoint((request, response) -> {
            S surface = surfaces.apply(request);
            String requestId = RequestIds.next();
            response.header(VeilHeaders.REQUEST_ID, requestId);
            surface.identify(response, requestId);
            run(request, response, requestId, surface, operation, estimate,
                    (parsed, serving) -> stages.serve(surface, parsed, serving));
        });
    }

    // The envelope: the stages every operation shares, and the close for any outcome ---------------------------

    /** What admission reserves for a request. */
    private record Estimate(String model, boolean streaming, long inputCharacters, OptionalInt outputTokens) {
    }

    /** One request's state as it moves along: what the close needs, whatever failed. */
    private final class Serving {
        final ServerResponse response;
        final String requestId;
        final RequestAudit audit;
        Metering.Ticket ticket;
        ServerExchange exchange;
        Outcome outcome;
        Optional<? extends Dispatched<?>> served = Optional.empty();
        List<String> finishReasons = List.of();
        /** A stream opened and not yet handed to a relay, which would own it. */
        ChatStream unrelayed;

        Serving(ServerResponse response, String requestId, RequestAudit audit) {
            this.response = response;
            this.requestId = requestId;
            this.audit = audit;
        }
    }

    private <R> void run(ServerRequest request, ServerResponse response, String requestId, Surface<R> surface,
                         String operation, Function<R, Estimate> estimates,
                         BiConsumer<R, Serving> stages) {
        long start = gateway.clocks().ticker().nanos();
        Span span = gateway.telemetry().start(request, operation, surface.name(), requestId);
        Serving serving = new Serving(response, requestId, RequestAudit.start(gateway.audit(), requestId,
                surface.name(), gateway.telemetry().tracer(), gateway.clocks().ticker()));
        VeilException failure = null;
        try (Scope ignored = span.makeCurrent()) {
            Principal principal = gateway.telemetry().authenticate(() -> surface.authenticate(request));
            Caller caller = principal.caller();
            serving.audit.caller(caller);
            R parsed = surface.parse(RequestBodies.read(request, gateway.config().maxRequestBytes()));
            Estimate estimate = estimates.apply(parsed);
            RequestTelemetry.model(span, operation, estimate.model(),
                    gateway.resolver().find(estimate.model()).isPresent());
            serving.audit.requested(estimate.model());
            principal.requireModel(estimate.model(), gateway.resolver().find(estimate.model()));
            serving.ticket = gateway.metering().admit(caller, principal.userLimits(), estimate.model(),
                    estimate.inputCharacters(), estimate.outputTokens(), response::header);
            serving.audit.pricing(serving.ticket::costMicros);
            serving.exchange = exchange(request, requestId, surface.name(), caller, estimate.streaming(), start);
            surface.exchange(serving.exchange);
            gateway.plugins().onExchange(serving.exchange);
            serving.audit.attach(serving.exchange);
            stages.accept(parsed, serving);
        } catch (VeilException e) {
            failure = e;
        } catch (RuntimeException | Error e) {
            failure = unexpected(requestId, e);
        } finally {
            close(serving, surface, span, start, failure);
        }
    }

    /**
     * Ends the request however it went: closes a stream nobody relays, records the failure (headers, audit, the
     * client's error), settles the ticket, runs the completion phase and ends the span. Each step runs even if an
     * earlier one fails, so one broken stage cannot lose another's record.
     */
    private void close(Serving serving, Surface<?> surface, Span span, long start, VeilException failure) {
        if (serving.unrelayed != null) {
            guarded(serving.requestId, "upstream stream", serving.unrelayed::close);
        }
        if (failure != null) {
            if (serving.exchange != null) {
                Responses.policy(serving.response, serving.exchange);
                Responses.cache(serving.response, serving.exchange);
                if (serving.outcome == null) {
                    serving.outcome = failed(serving.exchange, failure);
                }
            }
            guarded(serving.requestId, "audit", () -> serving.audit.recordFailure(serving.exchange, serving.outcome,
                    failure));
            guarded(serving.requestId, "error response", () -> surface.fail(serving.response, failure));
        }
        if (serving.ticket != null) {
            guarded(serving.requestId, "settlement", () -> serving.ticket.settle(Optional.ofNullable(serving.outcome)));
        }
        if (serving.outcome != null) {
            guarded(serving.requestId, "completion", () -> complete(serving.exchange, serving.outcome));
            gateway.telemetry().finish(span, Optional.of(serving.exchange), serving.outcome,
                    serving.served.map(d -> providerName(gateway, d)), serving.finishReasons,
                    serving.ticket == null ? 0 : serving.ticket.costMicros(serving.outcome));
        } else {
            gateway.telemetry().failed(span, failure != null ? failure : unexpected(serving.requestId,
                    new IllegalStateException("request ended without an outcome")),
                    Duration.ofNanos(gateway.clocks().ticker().nanos() - start));
        }
    }

    /** A failure no stage mapped, as the 500 the client gets; logged with its type and stack, not its message. */
    private static VeilException unexpected(String requestId, Throwable failure) {
        if (LOGGER.isLoggable(Level.SEVERE)) {
            LOGGER.severe("request " + requestId + " failed unexpectedly: " + SafeThrowables.describe(failure));
        }
        return new VeilException(ErrorKind.INTERNAL, "Veil failed to process the request; quote request id "
                + requestId + " when reporting it").withCode("internal_error");
    }

    private static void guarded(String requestId, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            if (LOGGER.isLoggable(Level.SEVERE)) {
                LOGGER.severe("request " + requestId + ": closing its " + what + " failed: "
                        + SafeThrowables.describe(e));
            }
        }
    }

    // The kinds of request -------------------------------------------------------------------------------------

    private void chat(ChatSurface surface, ChatRequest chat, Serving serving) {
        ServerExchange exchange = serving.exchange;
        ServerResponse response = serving.response;
        Admitted admitted = admit(chat, exchange, true);
        serving.audit.prompt(admitted.request());
        Responses.policy(response, exchange);
        Responses.cache(response, exchange);
        Optional<Direct> direct = surface.direct(chat, admitted, exchange);
        if (chat.stream()) {
            Streaming streaming = direct.map(Direct::stream).orElseGet(() -> stream(admitted, exchange));
            // Here, not where the stream opens, so that a direct answer (a passthrough) is timed as well.
            streaming.dispatched().ifPresent(d -> gateway.telemetry().firstEvent(exchange.surface(),
                    providerName(gateway, d), d.target().model(),
                    gateway.clocks().ticker().nanos() - exchange.startNanos()));
            serving.unrelayed = streaming.stream();
            serving.served = streaming.dispatched();
            streaming.dispatched().ifPresent(d -> Responses.target(response, d));
            ChatStream metered = serving.ticket.meter(streaming.stream(),
                    streaming.dispatched().map(Dispatched::target));
            serving.unrelayed = metered;
            ChatStream audited = serving.audit.recordingAtEnd(metered, exchange, usage ->
                    answered(exchange, usage, streaming.dispatched(), Optional.empty(), false));
            serving.unrelayed = null;
            SseRelay.Relayed relayed = surface.relay(response, audited, chat, serving.requestId);
            serving.outcome = answered(exchange, relayed.usage(), streaming.dispatched(),
                    relayed.error().map(VeilException::kind), relayed.clientGone());
            serving.audit.record(exchange, serving.outcome);
        } else {
            Answered answered = direct.map(Direct::answer).orElseGet(() -> answer(admitted, exchange));
            serving.served = answered.dispatched();
            serving.finishReasons = answered.response().choices().stream()
                    .flatMap(choice -> choice.finishReason().stream()).map(FinishReason::wireName).toList();
            answered.dispatched().ifPresent(d -> Responses.target(response, d));
            serving.ticket.costHeader(answered.response().usage(), answered.dispatched().map(Dispatched::target),
                    response::header);
            serving.outcome = answered(exchange, answered.response().usage(), answered.dispatched(),
                    Optional.empty(), false);
            serving.audit.record(exchange, serving.outcome);
            surface.answer(response, answered.response());
        }
    }

    private void embeddings(EmbeddingsSurface surface, EmbeddingsRequest embeddings, Serving serving) {
        ServerExchange exchange = serving.exchange;
        EmbeddingsRequest sent = gateway.plugins().onEmbeddings(embeddings, exchange);
        Clearance clearance = ZeroRetention.eligible(gateway.policy().embeddings(sent,
                gateway.resolver().resolve(sent.model()), exchange), exchange, gateway.providers());
        Responses.policy(serving.response, exchange);
        Dispatched<EmbeddingsResponse> dispatched = gateway.dispatcher().embeddings(sent, clearance);
        serving.served = Optional.of(dispatched);
        Responses.target(serving.response, dispatched);
        serving.outcome = answered(exchange, dispatched.result().usage(), Optional.of(dispatched), Optional.empty(),
                false);
        serving.audit.record(exchange, serving.outcome);
        serving.ticket.costHeader(dispatched.result().usage(), Optional.of(dispatched.target()),
                serving.response::header);
        surface.answer(serving.response, dispatched.result());
    }

    private void count(CountTokensSurface surface, ChatRequest chat, Serving serving) {
        ServerExchange exchange = serving.exchange;
        Admitted admitted = admit(chat, exchange, false);
        serving.audit.prompt(admitted.request());
        Responses.policy(serving.response, exchange);
        Counted counted = surface.count(chat, admitted);
        serving.served = counted.dispatched();
        counted.dispatched().ifPresent(d -> Responses.target(serving.response, d));
        serving.outcome = answered(exchange, Optional.empty(), counted.dispatched(), Optional.empty(), false);
        serving.audit.record(exchange, serving.outcome);
        surface.answer(serving.response, counted);
    }

    // The chat stages ------------------------------------------------------------------------------------------

    /**
     * Resolves the model into a route, runs the request phase (where a routing plugin may replace the route), asks
     * the policy (which may deny, narrow or reorder the targets and cap output tokens), keeps only providers that
     * retain nothing when zero retention applies, lets plugins apply the decision, and, for a request to be
     * answered, gives intercepting plugins their chance — after the policy, so that an answer from a cache is
     * checked like any other.
     */
    private Admitted admit(ChatRequest chat, ServerExchange exchange, boolean answering) {
        gateway.resolver().find(chat.model()).ifPresent(targets -> exchange.put(Attributes.ROUTE,
                Route.of(targets.stream().map(TargetRef::toTarget).toList())));
        ChatRequest request = exchange.get(CONVERSATION_ID).filter(id -> exchange.get(
                Attributes.CONVERSATION_PSEUDONYMS).isEmpty()).map(id -> inConversation(chat, exchange, id))
                .orElseGet(() -> gateway.plugins().onRequest(chat, exchange));
        Route route = exchange.get(Attributes.ROUTE).orElseThrow(() -> ModelResolver.notFound(chat.model()));
        List<TargetRef> targets = configured(route.targets());
        List<TargetRef> fallbacks = configured(route.contextFallbacks());
        List<TargetRef> candidates = new ArrayList<>(targets);
        fallbacks.stream().filter(target -> !candidates.contains(target)).forEach(candidates::add);
        PolicyCheck.Checked checked = gateway.policy().chat(request, candidates, exchange);
        Clearance clearance = ZeroRetention.eligible(checked.clearance(), exchange, gateway.providers());
        List<TargetRef> permitted = clearance.candidates();
        List<TargetRef> first = permitted.stream().filter(targets::contains).toList();
        List<TargetRef> larger = permitted.stream().filter(target -> !targets.contains(target)).toList();
        DispatchPlan plan = new DispatchPlan(clearance, first.isEmpty() ? larger : first,
                first.isEmpty() ? List.of() : larger, route.retries(), route.backoff(), route.deadline(),
                attempt -> gateway.plugins().onAttempt(attempt, exchange));
        ChatRequest marked = answering ? ZeroRetention.storeNothing(checked.request(), exchange) : checked.request();
        ChatRequest decided = gateway.plugins().onDecision(marked, exchange);
        // A decision-phase plugin may not undo what zero retention asks of the provider.
        ChatRequest sent = answering ? ZeroRetention.storeNothing(decided, exchange) : decided;
        return new Admitted(sent, plan, answering ? gateway.plugins().intercept(sent, exchange) : Optional.empty(),
                request == chat && decided == marked);
    }

    /**
     * The request phase of a request in a conversation the client named ({@code x-veil-conversation-id}): it starts
     * from the conversation's placeholders in the pseudonym vault, which MCP tool calls of the conversation share,
     * and leaves those it hands out there; alone in the conversation, so that two requests never hand out one
     * placeholder for two values.
     */
    private ChatRequest inConversation(ChatRequest chat, ServerExchange exchange, String id) {
        ChatRequest[] request = new ChatRequest[1];
        gateway.conversations().pseudonyms().update(PseudonymVault.conversation(exchange.caller().tenant(), id),
                known -> {
                    exchange.put(Attributes.CONVERSATION_PSEUDONYMS, known);
                    request[0] = gateway.plugins().onRequest(chat, exchange);
                    return exchange.get(Attributes.CONVERSATION_PSEUDONYMS).orElse(known);
                });
        return request[0];
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
    private Answered answer(Admitted admitted, ServerExchange exchange) {
        Optional<Dispatched<ChatResponse>> dispatched = admitted.intercepted().isPresent() ? Optional.empty()
                : Optional.of(gateway.dispatcher().chat(admitted.request(), admitted.plan()));
        ChatResponse answer = admitted.intercepted().orElseGet(() -> dispatched.orElseThrow().result());
        exchange.get(RequestAudit.KEY).ifPresent(audit -> audit.answer(answer));
        return new Answered(gateway.plugins().onResponse(answer, exchange), dispatched);
    }

    /** Opens the answer stream: the interceptor's answer replayed, or a provider's stream, through the stream phase. */
    private Streaming stream(Admitted admitted, ServerExchange exchange) {
        Optional<Dispatched<ChatStream>> dispatched = admitted.intercepted().isPresent() ? Optional.empty()
                : Optional.of(gateway.dispatcher().stream(admitted.request(), admitted.plan()));
        ChatStream source = admitted.intercepted().<ChatStream>map(ResponseReplay::new)
                .orElseGet(() -> dispatched.orElseThrow().result());
        try {
            ChatStream tapped = exchange.get(RequestAudit.KEY).map(audit -> audit.tap(source)).orElse(source);
            return new Streaming(gateway.plugins().stream(tapped, admitted.request(), exchange), dispatched);
        } catch (RuntimeException | Error e) {
            source.close();
            throw e;
        }
    }

    /** Tells the completion phase how the exchange ended. */
    private void complete(ServerExchange exchange, Outcome outcome) {
        gateway.plugins().onCompletion(outcome, exchange);
    }

    // Shared pieces --------------------------------------------------------------------------------------------

    /** The semantic-convention name of the provider that answered. */
    private static String providerName(Gateway gateway, Dispatched<?> dispatched) {
        return gateway.providers().get(dispatched.target().provider())
                .map(provider -> GenAi.providerName(provider.family())).orElse(dispatched.target().provider());
    }

    /**
     * The exchange of an authenticated, parsed request, with the client's request controls ({@code x-veil-metadata},
     * {@code x-veil-zero-retention}, {@code x-veil-cache}) applied.
     */
    private static ServerExchange exchange(ServerRequest request, String requestId, String surface, Caller caller,
                                           boolean streaming, long startNanos) {
        ServerExchange exchange = new ServerExchange(requestId, surface, caller, streaming,
                RequestControls.metadata(request), startNanos);
        if (RequestControls.zeroRetention(request)) {
            exchange.put(Attributes.ZERO_RETENTION, true);
            exchange.put(Attributes.ZERO_RETENTION_REASON, "header");
        }
        RequestControls.cache(request).ifPresent(control -> exchange.put(Attributes.CACHE_CONTROL, control));
        RequestControls.conversationId(request).ifPresent(id -> exchange.put(CONVERSATION_ID, id));
        return exchange;
    }

    /** The outcome of an exchange that got an answer (for a stream: that started). */
    private Outcome answered(ServerExchange exchange, Optional<Usage> usage,
                             Optional<? extends Dispatched<?>> dispatched, Optional<ErrorKind> error,
                             boolean clientGone) {
        return new Outcome(200, error, usage, elapsed(exchange), dispatched.map(d -> d.target().provider()),
                dispatched.map(d -> d.target().model()), dispatched.map(Dispatched::attempts).orElse(0), clientGone);
    }

    /** The outcome of an exchange that ended in an error response. */
    private Outcome failed(ServerExchange exchange, VeilException error) {
        return new Outcome(error.status(), Optional.of(error.kind()), Optional.empty(), elapsed(exchange),
                Optional.empty(), Optional.empty(), 0, false);
    }

    private Duration elapsed(ServerExchange exchange) {
        return Duration.ofNanos(gateway.clocks().ticker().nanos() - exchange.startNanos());
    }

    private static long characters(ChatRequest chat) {
        long characters = 0;
        for (ChatMessage message : chat.messages()) {
            characters += message.text().length();
        }
        return characters;
    }

    private static long characters(EmbeddingsRequest request) {
        return switch (request.input()) {
            case EmbeddingInput.Texts texts -> texts.texts().stream().mapToLong(String::length).sum();
            case EmbeddingInput.Tokens tokens -> 4L * tokens.size();
        };
    }
}
