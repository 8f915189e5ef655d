package dev.veil.server.api;

import java.util.List;

import dev.veil.server.config.TargetRef;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.providers.ChatStream;
import dev.veil.server.wire.OpenAiRequests;
import dev.veil.server.wire.OpenAiWriter;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code POST /v1/chat/completions}: JSON, or server-sent events when {@code stream} is true. */
public final class ChatCompletionsEndpoint implements Handler {
    private final Gateway gateway;

    public ChatCompletionsEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            gateway.authenticator().authenticate(request.headers().first(HeaderNames.AUTHORIZATION));
            ChatRequest chat = OpenAiRequests.chat(RequestBodies.read(request, gateway.config().maxRequestBytes()));
            List<TargetRef> candidates = gateway.resolver().resolve(chat.model());
            if (chat.stream()) {
                Dispatched<ChatStream> dispatched = gateway.dispatcher().stream(chat, candidates);
                Responses.target(response, dispatched);
                SseRelay.relay(response, dispatched.result(), chat.wantsStreamUsage());
            } else {
                Dispatched<ChatResponse> dispatched = gateway.dispatcher().chat(chat, candidates);
                Responses.target(response, dispatched);
                response.header(HeaderValues.CONTENT_TYPE_JSON);
                response.send(OpenAiWriter.chatResponse(dispatched.result()));
            }
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }
}
