package dev.veil.server.api;

import dev.veil.server.providers.ChatStream;
import dev.veil.server.wire.OpenAiRequests;
import dev.veil.server.wire.OpenAiWriter;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code POST /v1/chat/completions}: the OpenAI chat surface of the {@link Pipeline}, as JSON or server-sent events. */
public final class ChatCompletionsEndpoint implements Pipeline.ChatSurface {
    static final String SURFACE = "openai.chat";

    private final Gateway gateway;

    public ChatCompletionsEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public String name() {
        return SURFACE;
    }

    @Override
    public Caller authenticate(ServerRequest request) {
        return gateway.authenticator().authenticate(request.headers().first(HeaderNames.AUTHORIZATION));
    }

    @Override
    public ChatRequest parse(byte[] body) {
        return OpenAiRequests.chat(body);
    }

    @Override
    public void answer(ServerResponse response, ChatResponse answer) {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(OpenAiWriter.chatResponse(answer));
    }

    @Override
    public SseRelay.Relayed relay(ServerResponse response, ChatStream stream, ChatRequest request, String requestId) {
        return SseRelay.relay(response, stream, request.wantsStreamUsage());
    }

    @Override
    public void fail(ServerResponse response, VeilException error) {
        ErrorResponder.send(response, error);
    }
}
