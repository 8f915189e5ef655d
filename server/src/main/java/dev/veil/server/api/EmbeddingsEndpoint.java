package dev.veil.server.api;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import dev.veil.server.audit.RequestAudit;
import dev.veil.server.config.TargetRef;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.dispatch.ZeroRetention;
import dev.veil.server.keys.Metering;
import dev.veil.server.plugins.ServerExchange;
import dev.veil.server.telemetry.RequestTelemetry;
import dev.veil.server.wire.OpenAiRequests;
import dev.veil.server.wire.OpenAiWriter;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/** {@code POST /v1/embeddings}: checked by the policy like chat, then dispatched. */
public final class EmbeddingsEndpoint implements Handler {
    static final String SURFACE = "openai.embeddings";

    private final Gateway gateway;

    public EmbeddingsEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        long start = System.nanoTime();
        String requestId = RequestIds.next();
        response.header(VeilHeaders.REQUEST_ID, requestId);
        Span span = gateway.telemetry().start(request, "embeddings", SURFACE, requestId);
        ServerExchange exchange = null;
        Metering.Ticket ticket = null;
        Outcome outcome = null;
        RequestAudit audit = RequestAudit.start(gateway.audit(), requestId, SURFACE,
                gateway.telemetry().tracer());
        try (Scope ignored = span.makeCurrent()) {
            Caller caller = gateway.telemetry().authenticate(() -> gateway.authenticator()
                    .authenticate(request.headers().first(HeaderNames.AUTHORIZATION)));
            audit.caller(caller);
            EmbeddingsRequest embeddings = OpenAiRequests.embeddings(RequestBodies.read(request,
                    gateway.config().maxRequestBytes()));
            RequestTelemetry.model(span, "embeddings", embeddings.model());
            audit.requested(embeddings.model());
            // Embeddings produce no output tokens: the reservation is the input alone.
            ticket = gateway.metering().admit(caller, embeddings.model(), inputCharacters(embeddings),
                    OptionalInt.of(0), response::header);
            audit.pricing(ticket::costMicros);
            exchange = new ServerExchange(requestId, SURFACE, caller, false, RequestControls.metadata(request), start);
            if (RequestControls.zeroRetention(request)) {
                exchange.put(Attributes.ZERO_RETENTION, true);
                exchange.put(Attributes.ZERO_RETENTION_REASON, "header");
            }
            // Embeddings skip the request phase, but who asks still decides zero retention and the like.
            gateway.plugins().onExchange(exchange);
            EmbeddingsRequest sent = gateway.plugins().onEmbeddings(embeddings, exchange);
            List<TargetRef> candidates = ZeroRetention.eligible(gateway.policy().embeddings(sent,
                    gateway.resolver().resolve(sent.model()), exchange), exchange, gateway.providers());
            Responses.policy(response, exchange);
            Dispatched<EmbeddingsResponse> dispatched = gateway.dispatcher().embeddings(sent, candidates);
            Responses.target(response, dispatched);
            outcome = ChatFlow.answered(exchange, dispatched.result().usage(), Optional.of(dispatched),
                    Optional.empty(), false);
            audit.record(exchange, outcome);
            ticket.costHeader(dispatched.result().usage(), Optional.of(dispatched.target()), response::header);
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(OpenAiWriter.embeddingsResponse(dispatched.result()));
            gateway.telemetry().finish(span, Optional.of(exchange), outcome,
                    Optional.of(ChatFlow.providerName(gateway, dispatched)), List.of(), ticket.costMicros(outcome));
        } catch (VeilException e) {
            if (exchange != null) {
                Responses.policy(response, exchange);
                outcome = ChatFlow.failed(exchange, e);
                gateway.telemetry().finish(span, Optional.of(exchange), outcome, Optional.empty(), List.of(), 0);
            } else {
                gateway.telemetry().failed(span, e, start);
            }
            audit.recordFailure(exchange, outcome, e);
            ErrorResponder.send(response, e);
        } finally {
            if (ticket != null) {
                ticket.settle(Optional.ofNullable(outcome));
            }
        }
    }

    private static long inputCharacters(EmbeddingsRequest request) {
        return switch (request.input()) {
            case EmbeddingInput.Texts texts -> texts.texts().stream().mapToLong(String::length).sum();
            case EmbeddingInput.Tokens tokens -> 4L * tokens.size();
        };
    }
}
