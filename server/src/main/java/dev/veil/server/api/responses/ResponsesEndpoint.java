package dev.veil.server.api.responses;

import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Pipeline;
import io.helidon.webserver.http.ServerRequest;

/**
 * {@code POST /v1/responses}: the OpenAI Responses surface of the {@link Pipeline}, as JSON or server-sent events, for
 * every provider. Veil keeps the conversation itself ({@code previous_response_id} works on every provider, see
 * {@link ConversationTurn}); an OpenAI target gets the client's own bytes when nothing in Veil changes the request or
 * the answer ({@link ResponsesPassthrough}).
 */
public final class ResponsesEndpoint {
    static final String SURFACE = "openai.responses";

    private final Gateway gateway;

    public ResponsesEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    /** A surface for one request. */
    public Pipeline.ChatSurface create(ServerRequest request) {
        return new ResponsesSurface(gateway);
    }
}
