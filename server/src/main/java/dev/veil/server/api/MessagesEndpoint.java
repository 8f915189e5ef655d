package dev.veil.server.api;

import dev.veil.server.providers.ChatStream;
import dev.veil.server.wire.anthropic.AnthropicMessages;
import dev.veil.server.wire.anthropic.AnthropicRequests;
import dev.veil.server.wire.anthropic.TokenEstimate;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /v1/messages}: the Anthropic surface of {@link ChatFlow}, as JSON or server-sent events, routed by model
 * name to any provider; and {@code POST /v1/messages/count_tokens}, answered with an estimate.
 */
public final class MessagesEndpoint {
    static final String SURFACE = "anthropic.messages";
    static final HeaderName API_KEY = HeaderNames.create("x-api-key");
    /** Anthropic's SDKs report this header in their errors. */
    static final HeaderName ANTHROPIC_REQUEST_ID = HeaderNames.create("request-id");
    static final HeaderName TOKEN_COUNT = HeaderNames.create("x-veil-token-count");

    private final Gateway gateway;
    private final ChatFlow flow;
    private final ChatFlow.Surface surface = new ChatFlow.Surface() {
        @Override
        public String name() {
            return SURFACE;
        }

        @Override
        public Caller authenticate(ServerRequest request) {
            return MessagesEndpoint.this.authenticate(request);
        }

        @Override
        public ChatRequest parse(byte[] body) {
            return AnthropicRequests.messages(body);
        }

        @Override
        public void answer(ServerResponse response, ChatResponse answer) {
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(AnthropicMessages.message(answer));
        }

        @Override
        public SseRelay.Relayed relay(ServerResponse response, ChatStream stream, ChatRequest request,
                                      String requestId) {
            return AnthropicSseRelay.relay(response, stream, requestId);
        }

        @Override
        public void fail(ServerResponse response, VeilException error) {
            AnthropicErrorResponder.send(response, error);
        }
    };

    public MessagesEndpoint(Gateway gateway) {
        this.gateway = gateway;
        this.flow = new ChatFlow(gateway);
    }

    /** {@code POST /v1/messages}. */
    public void messages(ServerRequest request, ServerResponse response) {
        flow.serve(request, response, requestId(response), surface);
    }

    /**
     * {@code POST /v1/messages/count_tokens}: an estimate from the request's text, for every target (see
     * {@link TokenEstimate}); the model must resolve, so an unknown one is a 404 as on {@code /v1/messages}.
     */
    public void countTokens(ServerRequest request, ServerResponse response) {
        requestId(response);
        try {
            authenticate(request);
            ChatRequest chat = AnthropicRequests.countTokens(RequestBodies.read(request,
                    gateway.config().maxRequestBytes()));
            gateway.resolver().resolve(chat.model());
            response.header(TOKEN_COUNT, "estimate");
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(AnthropicMessages.tokenCount(TokenEstimate.inputTokens(chat)));
        } catch (VeilException e) {
            AnthropicErrorResponder.send(response, e);
        }
    }

    /** Any other method on the surface's paths. */
    public void notAllowed(ServerRequest request, ServerResponse response) {
        requestId(response);
        response.header(HeaderNames.ALLOW, "POST");
        AnthropicErrorResponder.send(response, VeilException.clientError(405, "invalid_request_error",
                "Method not allowed; use POST", "method_not_allowed", null));
    }

    private Caller authenticate(ServerRequest request) {
        return gateway.authenticator().authenticate(request.headers().first(API_KEY),
                request.headers().first(HeaderNames.AUTHORIZATION));
    }

    private static String requestId(ServerResponse response) {
        String requestId = RequestIds.next();
        response.header(VeilHeaders.REQUEST_ID, requestId);
        response.header(ANTHROPIC_REQUEST_ID, requestId);
        return requestId;
    }
}
