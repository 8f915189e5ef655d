package dev.veil.server.api.openai;

import java.util.Optional;

import dev.veil.server.codec.openai.OpenAiRequests;
import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.http.SseFrames;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Passthrough;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.pipeline.SseRelay;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /v1/chat/completions}: the OpenAI chat surface of the {@link Pipeline}, as JSON or server-sent events;
 * relayed untranslated when it may be ({@link ChatPassthrough}).
 */
public final class ChatCompletionsEndpoint {
    static final String SURFACE = "openai.chat";

    private final Gateway gateway;

    public ChatCompletionsEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    /** The surface of one request. */
    public Pipeline.ChatSurface surface(ServerRequest request) {
        return new Chat(gateway);
    }

    /** One request on {@code /v1/chat/completions}: its body, kept for a passthrough. */
    private static final class Chat extends OpenAiSurface<ChatRequest> implements Pipeline.ChatSurface {
        private byte[] body;
        private Optional<Passthrough> passthrough = Optional.empty();

        Chat(Gateway gateway) {
            super(gateway);
        }

        @Override
        public String name() {
            return SURFACE;
        }

        @Override
        public ChatRequest parse(byte[] body) {
            ChatRequest parsed = OpenAiRequests.chat(body);
            this.body = body;
            return parsed;
        }

        @Override
        public Optional<Pipeline.Direct> direct(ChatRequest parsed, Pipeline.Admitted admitted,
                                                ServerExchange exchange) {
            passthrough = ChatPassthrough.of(gateway, body, parsed, admitted, exchange);
            return passthrough.map(Pipeline.Direct.class::cast);
        }

        @Override
        public void answer(ServerResponse response, ChatResponse answer) {
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(passthrough.map(Passthrough::body).orElseGet(() -> OpenAiWriter.chatResponse(answer)));
        }

        @Override
        public SseRelay.Relayed relay(ServerResponse response, ChatStream stream, ChatRequest request,
                                      String requestId) {
            if (passthrough.isPresent()) {
                return passthrough.get().relay(response, stream,
                        error -> SseFrames.data(OpenAiWriter.error(error)), Optional::empty);
            }
            return SseRelay.relay(response, stream, request.wantsStreamUsage());
        }
    }
}
