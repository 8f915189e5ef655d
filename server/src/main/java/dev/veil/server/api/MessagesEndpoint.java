package dev.veil.server.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.veil.server.config.TargetRef;
import dev.veil.server.dispatch.DispatchPlan;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.dispatch.ZeroRetention;
import dev.veil.server.plugins.ServerExchange;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.server.providers.anthropic.AnthropicAdapter;
import dev.veil.server.providers.ChatStream;
import dev.veil.server.wire.anthropic.AnthropicMessages;
import dev.veil.server.wire.anthropic.AnthropicRequests;
import dev.veil.server.wire.anthropic.TokenEstimate;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /v1/messages}: the Anthropic surface of {@link ChatFlow}, as JSON or server-sent events, routed by model
 * name to any provider, and relayed untranslated to Anthropic targets when nothing needs the translation
 * ({@link AnthropicPassthrough}); and {@code POST /v1/messages/count_tokens}.
 */
public final class MessagesEndpoint {
    static final String SURFACE = "anthropic.messages";
    static final String COUNT_SURFACE = "anthropic.count_tokens";
    static final HeaderName API_KEY = HeaderNames.create("x-api-key");
    /** Anthropic's SDKs report this header in their errors. */
    static final HeaderName ANTHROPIC_REQUEST_ID = HeaderNames.create("request-id");
    static final HeaderName TOKEN_COUNT = HeaderNames.create("x-veil-token-count");

    private final Gateway gateway;
    private final ChatFlow flow;
    public MessagesEndpoint(Gateway gateway) {
        this.gateway = gateway;
        this.flow = new ChatFlow(gateway);
    }

    /** {@code POST /v1/messages}. */
    public void messages(ServerRequest request, ServerResponse response) {
        flow.serve(request, response, requestId(response), new Messages(request));
    }

    /** One request on the surface: it keeps the body, which the passthrough forwards as it is. */
    private final class Messages implements ChatFlow.Surface {
        private final ServerRequest request;
        private byte[] body;
        private Optional<AnthropicPassthrough> passthrough = Optional.empty();

        Messages(ServerRequest request) {
            this.request = request;
        }

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
            ChatRequest parsed = AnthropicRequests.messages(body);
            this.body = body;
            return parsed;
        }

        @Override
        public Optional<ChatFlow.Direct> direct(ChatRequest parsed, ChatFlow.Admitted admitted,
                                                ServerExchange exchange) {
            passthrough = AnthropicPassthrough.of(gateway, body, AnthropicPassthrough.clientHeaders(
                    request.headers()), parsed, admitted, exchange);
            return passthrough.map(ChatFlow.Direct.class::cast);
        }

        @Override
        public void answer(ServerResponse response, ChatResponse answer) {
            if (passthrough.isPresent()) {
                passthrough.get().send(response);
                return;
            }
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(AnthropicMessages.message(answer));
        }

        @Override
        public SseRelay.Relayed relay(ServerResponse response, ChatStream stream, ChatRequest request,
                                      String requestId) {
            return passthrough.isPresent() ? passthrough.get().relay(response, stream, requestId)
                    : AnthropicSseRelay.relay(response, stream, requestId);
        }

        @Override
        public void fail(ServerResponse response, VeilException error) {
            AnthropicErrorResponder.send(response, error);
        }
    }

    /**
     * {@code POST /v1/messages/count_tokens}: Anthropic's own count when the model's first target is an Anthropic
     * provider and the request may go there as it is (the exchange and request phases left it unchanged, and zero
     * retention, if it applies, allows the provider); otherwise an estimate from the request's text (see
     * {@link TokenEstimate}). The model must resolve, so an unknown one is a 404 as on {@code /v1/messages}. The
     * completion phase learns how it ended.
     */
    public void countTokens(ServerRequest request, ServerResponse response) {
        String requestId = requestId(response);
        ServerExchange exchange = null;
        Outcome outcome = null;
        try {
            Caller caller = authenticate(request);
            byte[] body = RequestBodies.read(request, gateway.config().maxRequestBytes());
            ChatRequest chat = AnthropicRequests.countTokens(body);
            List<TargetRef> targets = gateway.resolver().resolve(chat.model());
            exchange = ChatFlow.exchange(request, requestId, COUNT_SURFACE, caller, false, System.nanoTime());
            gateway.plugins().onExchange(exchange);
            boolean unchanged = gateway.plugins().onRequest(chat, exchange) == chat;
            List<TargetRef> exact = unchanged ? leadingAnthropic(targets, exchange) : List.of();
            Optional<Dispatched<byte[]>> counted = Optional.empty();
            if (exact.isEmpty()) {
                response.header(TOKEN_COUNT, "estimate");
                response.header(HeaderValues.CONTENT_TYPE_JSON);
                response.send(AnthropicMessages.tokenCount(TokenEstimate.inputTokens(chat)));
            } else {
                AnthropicAdapter.ClientHeaders headers = AnthropicPassthrough.clientHeaders(request.headers());
                counted = Optional.of(gateway.dispatcher().dispatch("count_tokens", DispatchPlan.once(exact),
                        (adapter, target) -> ((AnthropicAdapter) adapter).countTokens(body, target.model(),
                                headers)));
                Responses.target(response, counted.get());
                response.header(TOKEN_COUNT, "exact");
                response.header(HeaderValues.CONTENT_TYPE_JSON);
                response.send(counted.get().result());
            }
            outcome = ChatFlow.answered(exchange, Optional.empty(), counted, Optional.empty(), false);
        } catch (VeilException e) {
            if (exchange != null) {
                outcome = ChatFlow.failed(exchange, e);
            }
            AnthropicErrorResponder.send(response, e);
        } finally {
            if (outcome != null) {
                flow.complete(exchange, outcome);
            }
        }
    }

    /**
     * The Anthropic targets at the head of {@code targets} that may receive the request: the count comes from the
     * model that would answer first. Empty when the first is not Anthropic, or zero retention rules it out.
     */
    private List<TargetRef> leadingAnthropic(List<TargetRef> targets, ServerExchange exchange) {
        List<TargetRef> leading = new ArrayList<>();
        for (TargetRef target : targets) {
            Optional<ProviderRegistry.Provider> provider = gateway.providers().get(target.provider());
            if (provider.isEmpty() || !(provider.get().adapter() instanceof AnthropicAdapter)) {
                break;
            }
            if (!ZeroRetention.applies(exchange) || provider.get().config().zeroRetention()) {
                leading.add(target);
            }
        }
        return leading;
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
