package dev.veil.server.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.veil.server.config.TargetRef;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.plugins.ServerExchange;
import dev.veil.server.providers.ChatStream;
import dev.veil.server.wire.OpenAiRequests;
import dev.veil.server.wire.OpenAiWriter;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /v1/chat/completions}: JSON, or server-sent events when {@code stream} is true. The request passes the
 * plugin chain's request phase, is resolved to candidates, may be answered by an intercepting plugin, otherwise is
 * dispatched; the answer passes the response or stream phase, and the completion phase sees how it all ended.
 */
public final class ChatCompletionsEndpoint implements Handler {
    static final String SURFACE = "openai.chat";

    private final Gateway gateway;

    public ChatCompletionsEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        long start = System.nanoTime();
        String requestId = RequestIds.next();
        response.header(VeilHeaders.REQUEST_ID, requestId);
        ServerExchange exchange = null;
        Outcome outcome = null;
        try {
            Caller caller = gateway.authenticator().authenticate(request.headers().first(HeaderNames.AUTHORIZATION));
            ChatRequest chat = OpenAiRequests.chat(RequestBodies.read(request, gateway.config().maxRequestBytes()));
            exchange = new ServerExchange(requestId, SURFACE, caller, chat.stream(), RequestControls.metadata(request),
                    start);
            chat = gateway.plugins().onRequest(chat, exchange);
            List<TargetRef> candidates = gateway.resolver().resolve(chat.model());
            Optional<ChatResponse> intercepted = gateway.plugins().intercept(chat, exchange);
            outcome = chat.stream() ? stream(response, chat, candidates, intercepted, exchange)
                    : complete(response, chat, candidates, intercepted, exchange);
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
            outcome = failed(e, exchange);
        } finally {
            if (exchange != null && outcome != null) {
                gateway.plugins().onCompletion(outcome, exchange);
            }
        }
    }

    private Outcome complete(ServerResponse response, ChatRequest chat, List<TargetRef> candidates,
                             Optional<ChatResponse> intercepted, ServerExchange exchange) {
        Optional<Dispatched<ChatResponse>> dispatched = intercepted.isPresent() ? Optional.empty()
                : Optional.of(gateway.dispatcher().chat(chat, candidates));
        ChatResponse answer = gateway.plugins().onResponse(
                intercepted.orElseGet(() -> dispatched.orElseThrow().result()), exchange);
        dispatched.ifPresent(d -> Responses.target(response, d));
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(OpenAiWriter.chatResponse(answer));
        return outcome(exchange, 200, Optional.empty(), answer.usage(), dispatched, false);
    }

    private Outcome stream(ServerResponse response, ChatRequest chat, List<TargetRef> candidates,
                           Optional<ChatResponse> intercepted, ServerExchange exchange) {
        Optional<Dispatched<ChatStream>> dispatched = intercepted.isPresent() ? Optional.empty()
                : Optional.of(gateway.dispatcher().stream(chat, candidates));
        ChatStream source = intercepted.<ChatStream>map(ResponseReplay::new)
                .orElseGet(() -> dispatched.orElseThrow().result());
        dispatched.ifPresent(d -> Responses.target(response, d));
        SseRelay.Relayed relayed = SseRelay.relay(response, gateway.plugins().stream(source, chat, exchange),
                chat.wantsStreamUsage());
        return outcome(exchange, 200, relayed.error().map(VeilException::kind), relayed.usage(), dispatched,
                relayed.clientGone());
    }

    private static Outcome failed(VeilException error, ServerExchange exchange) {
        return exchange == null ? null
                : outcome(exchange, error.status(), Optional.of(error.kind()), Optional.empty(), Optional.empty(),
                        false);
    }

    private static Outcome outcome(ServerExchange exchange, int status, Optional<ErrorKind> error,
                                   Optional<Usage> usage, Optional<? extends Dispatched<?>> dispatched,
                                   boolean clientGone) {
        return new Outcome(status, error, usage, Duration.ofNanos(System.nanoTime() - exchange.startNanos()),
                dispatched.map(d -> d.target().provider()), dispatched.map(d -> d.target().model()),
                dispatched.map(Dispatched::attempts).orElse(0), clientGone);
    }
}
