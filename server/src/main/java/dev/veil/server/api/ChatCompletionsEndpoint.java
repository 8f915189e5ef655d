package dev.veil.server.api;

import java.util.Optional;

import dev.veil.server.plugins.ServerExchange;
import dev.veil.server.wire.OpenAiRequests;
import dev.veil.server.wire.OpenAiWriter;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code POST /v1/chat/completions}: the OpenAI surface of {@link ChatFlow}, as JSON or server-sent events. */
public final class ChatCompletionsEndpoint implements Handler {
    static final String SURFACE = "openai.chat";

    private final Gateway gateway;
    private final ChatFlow flow;

    public ChatCompletionsEndpoint(Gateway gateway) {
        this.gateway = gateway;
        this.flow = new ChatFlow(gateway);
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
            exchange = ChatFlow.exchange(request, requestId, SURFACE, caller, chat.stream(), start);
            ChatFlow.Admitted admitted = flow.admit(chat, exchange);
            Responses.policy(response, exchange);
            if (chat.stream()) {
                ChatFlow.Streaming streaming = flow.stream(admitted, exchange);
                streaming.dispatched().ifPresent(d -> Responses.target(response, d));
                SseRelay.Relayed relayed = SseRelay.relay(response, streaming.stream(), chat.wantsStreamUsage());
                outcome = ChatFlow.answered(exchange, relayed.usage(), streaming.dispatched(),
                        relayed.error().map(VeilException::kind), relayed.clientGone());
            } else {
                ChatFlow.Answered answered = flow.answer(admitted, exchange);
                answered.dispatched().ifPresent(d -> Responses.target(response, d));
                response.header(HeaderValues.CONTENT_TYPE_JSON);
                response.send(OpenAiWriter.chatResponse(answered.response()));
                outcome = ChatFlow.answered(exchange, answered.response().usage(), answered.dispatched(),
                        Optional.empty(), false);
            }
        } catch (VeilException e) {
            if (exchange != null) {
                Responses.policy(response, exchange);
                outcome = ChatFlow.failed(exchange, e);
            }
            ErrorResponder.send(response, e);
        } finally {
            if (outcome != null) {
                flow.complete(exchange, outcome);
            }
        }
    }
}
