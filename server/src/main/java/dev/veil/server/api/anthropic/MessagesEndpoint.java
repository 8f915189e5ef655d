package dev.veil.server.api.anthropic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import dev.veil.server.auth.Principal;
import dev.veil.server.codec.anthropic.AnthropicMessages;
import dev.veil.server.codec.anthropic.AnthropicRequests;
import dev.veil.server.codec.anthropic.AnthropicStreamWriter;
import dev.veil.server.codec.anthropic.TokenEstimate;
import dev.veil.server.config.TargetRef;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.dispatch.DispatchPlan;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.pipeline.EventRelay;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Passthrough;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.pipeline.SseRelay;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.server.providers.anthropic.AnthropicAdapter;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /v1/messages}: the Anthropic surface of {@link Pipeline}, as JSON or server-sent events, routed by model
 * name to any provider, and relayed untranslated to Anthropic targets when nothing needs the translation
 * ({@link AnthropicPassthrough}); and {@code POST /v1/messages/count_tokens}.
 */
public final class MessagesEndpoint {
    static final String SURFACE = "anthropic.messages";
    static final String COUNT_SURFACE = "anthropic.count_tokens";
    public static final HeaderName API_KEY = HeaderNames.create("x-api-key");
    /** Anthropic's SDKs report this header in their errors. */
    public static final HeaderName ANTHROPIC_REQUEST_ID = HeaderNames.create("request-id");
    static final HeaderName TOKEN_COUNT = HeaderNames.create("x-veil-token-count");

    private final Gateway gateway;

    public MessagesEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    /** {@code POST /v1/messages}: a surface for one request. */
    public Pipeline.ChatSurface messages(ServerRequest request) {
        return new Messages(request);
    }

    /**
     * What the Anthropic surfaces share for one request: {@code x-api-key} (or a Bearer key), Anthropic's
     * {@code request-id} header and error shape, and the body as the client sent it, which a passthrough forwards.
     */
    private abstract class AnthropicSurface {
        final ServerRequest request;
        private final String name;
        private final Function<byte[], ChatRequest> parser;
        byte[] body;

        AnthropicSurface(ServerRequest request, String name, Function<byte[], ChatRequest> parser) {
            this.request = request;
            this.name = name;
            this.parser = parser;
        }

        public String name() {
            return name;
        }

        public ChatRequest parse(byte[] body) {
            ChatRequest parsed = parser.apply(body);
            this.body = body;
            return parsed;
        }

        public void identify(ServerResponse response, String requestId) {
            response.header(ANTHROPIC_REQUEST_ID, requestId);
        }

        public Principal authenticate(ServerRequest request) {
            return gateway.authenticator().principal(request.headers().first(API_KEY),
                    request.headers().first(HeaderNames.AUTHORIZATION));
        }

        public void fail(ServerResponse response, VeilException error) {
            AnthropicErrorResponder.send(response, error);
        }
    }

    /** One request on {@code /v1/messages}. */
    private final class Messages extends AnthropicSurface implements Pipeline.ChatSurface {
        private Optional<Passthrough> passthrough = Optional.empty();

        Messages(ServerRequest request) {
            super(request, SURFACE, AnthropicRequests::messages);
        }

        @Override
        public Optional<Pipeline.Direct> direct(ChatRequest parsed, Pipeline.Admitted admitted,
                                                ServerExchange exchange) {
            passthrough = AnthropicPassthrough.of(gateway, body, AnthropicPassthrough.clientHeaders(
                    request.headers()), parsed, admitted, exchange);
            return passthrough.map(Pipeline.Direct.class::cast);
        }

        @Override
        public void answer(ServerResponse response, ChatResponse answer) {
            if (passthrough.isPresent()) {
                response.header(HeaderValues.CONTENT_TYPE_JSON);
                response.send(passthrough.get().body());
                return;
            }
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(AnthropicMessages.message(answer));
        }

        @Override
        public SseRelay.Relayed relay(ServerResponse response, ChatStream stream, ChatRequest request,
                                      String requestId) {
            if (passthrough.isPresent()) {
                return passthrough.get().relay(response, stream, error -> AnthropicStreamWriter.error(error,
                        requestId), Optional::empty);
            }
            AnthropicStreamWriter writer = new AnthropicStreamWriter();
            return EventRelay.relay(response, stream, EventRelay.Events.of(writer::onChunk, writer::onEnd,
                    error -> AnthropicStreamWriter.error(error, requestId), writer::usage), Optional::empty);
        }
    }

    /**
     * {@code POST /v1/messages/count_tokens}, metered and audited as a request with no output: Anthropic's own count
     * when the model's first permitted target is an Anthropic provider and the request may go there as it is (the
     * exchange, request and decision phases left it unchanged); otherwise an estimate from the request's text (see
     * {@link TokenEstimate}). The model must resolve, so an unknown one is a 404 as on {@code /v1/messages}.
     */
    public Pipeline.CountTokensSurface countTokens(ServerRequest request) {
        return new CountTokens(request);
    }

    /** One request on {@code /v1/messages/count_tokens}. */
    private final class CountTokens extends AnthropicSurface implements Pipeline.CountTokensSurface {
        CountTokens(ServerRequest request) {
            super(request, COUNT_SURFACE, AnthropicRequests::countTokens);
        }

        @Override
        public Pipeline.Counted count(ChatRequest parsed, Pipeline.Admitted admitted) {
            List<TargetRef> exact = admitted.contentAsParsed() ? leadingAnthropic(admitted.plan().targets())
                    : List.of();
            if (exact.isEmpty()) {
                return new Pipeline.Counted(AnthropicMessages.tokenCount(TokenEstimate.inputTokens(parsed)), false,
                        Optional.empty());
            }
            AnthropicAdapter.ClientHeaders headers = AnthropicPassthrough.clientHeaders(request.headers());
            DispatchPlan plan = new DispatchPlan(admitted.plan().clearance(), exact, List.of(), 0, Duration.ZERO,
                    admitted.plan().deadline(), admitted.plan().listener());
            Dispatched<byte[]> counted = gateway.dispatcher().dispatch("count_tokens", plan,
                    (adapter, target) -> ((AnthropicAdapter) adapter).countTokens(body, target.model(), headers));
            return new Pipeline.Counted(counted.result(), true, Optional.of(counted));
        }

        @Override
        public void answer(ServerResponse response, Pipeline.Counted counted) {
            response.header(TOKEN_COUNT, counted.exact() ? "exact" : "estimate");
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(counted.body());
        }
    }

    /**
     * The Anthropic targets at the head of {@code targets}: the count comes from the model that would answer first.
     * Empty when the first is not Anthropic.
     */
    private List<TargetRef> leadingAnthropic(List<TargetRef> targets) {
        List<TargetRef> leading = new ArrayList<>();
        for (TargetRef target : targets) {
            Optional<ProviderRegistry.Provider> provider = gateway.providers().get(target.provider());
            if (provider.isEmpty() || !(provider.get().adapter() instanceof AnthropicAdapter)) {
                break;
            }
            leading.add(target);
        }
        return leading;
    }
}
