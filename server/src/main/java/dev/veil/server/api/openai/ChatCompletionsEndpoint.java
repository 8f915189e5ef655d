package dev.veil.server.api.openai;

import dev.veil.server.codec.openai.OpenAiRequests;
import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.core.ChatStream;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.pipeline.SseRelay;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;

/** {@code POST /v1/chat/completions}: the OpenAI chat surface of the {@link Pipeline}, as JSON or server-sent events. */
public final class ChatCompletionsEndpoint extends OpenAiSurface<ChatRequest> implements Pipeline.ChatSurface {
    static final String SURFACE = "openai.chat";

    public ChatCompletionsEndpoint(Gateway gateway) {
        super(gateway);
    }

    @Override
    public String name() {
        return SURFACE;
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
}
