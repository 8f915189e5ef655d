package dev.veil.server.api.responses;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.auth.Principal;
import dev.veil.server.codec.responses.ResponseHead;
import dev.veil.server.codec.responses.ResponseIds;
import dev.veil.server.codec.responses.ResponsesCall;
import dev.veil.server.codec.responses.ResponsesRequests;
import dev.veil.server.codec.responses.ResponsesStreamWriter;
import dev.veil.server.codec.responses.ResponsesWriter;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.pipeline.EventRelay;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Passthrough;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.pipeline.SseRelay;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * One request on {@code POST /v1/responses}. Its stages run in the pipeline's order: the caller is known before the
 * body is read, so the conversation it continues is loaded for the caller's tenant alone; the exchange gets the
 * conversation's pseudonyms before any plugin runs; the answer is kept (when the client and the policy allow it)
 * in memory before the client sees it, so a next turn can always find it, and written to disk after.
 */
final class ResponsesSurface implements Pipeline.ChatSurface {
    private final Gateway gateway;
    private Caller caller;
    private byte[] body;
    private ResponsesCall call;
    private ConversationTurn turn;
    private ResponseHead head;
    private ServerExchange exchange;
    private Optional<Passthrough> passthrough = Optional.empty();

    ResponsesSurface(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public String name() {
        return ResponsesEndpoint.SURFACE;
    }

    @Override
    public Principal authenticate(ServerRequest request) {
        Principal principal = gateway.authenticator().principal(request.headers().first(HeaderNames.AUTHORIZATION));
        caller = principal.caller();
        return principal;
    }

    @Override
    public ChatRequest parse(byte[] body) {
        call = ResponsesRequests.parse(body);
        this.body = body;
        turn = ConversationTurn.start(gateway.conversations(), caller.tenant(), call, gateway.clocks());
        head = new ResponseHead(ResponseIds.response(), gateway.clocks().wall().instant().getEpochSecond(),
                call.request().model(), call.echo());
        return turn.request();
    }

    @Override
    public void fail(ServerResponse response, VeilException error) {
        ErrorResponder.send(response, error);
    }

    @Override
    public void exchange(ServerExchange exchange) {
        this.exchange = exchange;
        turn.attach(exchange);
    }

    /**
     * Settles how this request is answered, once the policy has decided: refused when it asks Veil to keep state the
     * policy does not allow; relayed unchanged when it may be; refused when it needs OpenAI's built-in tools and cannot
     * be relayed to OpenAI unchanged.
     */
    @Override
    public Optional<Pipeline.Direct> direct(ChatRequest parsed, Pipeline.Admitted admitted,
                                            ServerExchange exchange) {
        turn.checkState(exchange);
        passthrough = turn.continues() ? Optional.empty()
                : ResponsesPassthrough.of(gateway, body, parsed, admitted, exchange);
        if (passthrough.isEmpty() && !call.builtInTools().isEmpty()) {
            throw VeilException.invalidParam("tools", "Built-in tool '" + call.builtInTools().getFirst() + "' is "
                    + "served only by OpenAI, with the request relayed unchanged; model '" + parsed.model() + "' is "
                    + "not routed only to OpenAI, or Veil changes this request (redaction, zero retention, a stored "
                    + "conversation). Use function tools instead").withCode("unsupported_tool");
        }
        return passthrough.map(Pipeline.Direct.class::cast);
    }

    @Override
    public void answer(ServerResponse response, ChatResponse answer) {
        byte[] sent = passthrough.isPresent() ? passthrough.get().body()
                : WireJson.bytes(ResponsesWriter.response(head, answer));
        // A relayed answer was read into the canonical one as it came: its id is OpenAI's.
        String id = passthrough.isPresent() ? answer.id() : head.id();
        Optional<VeilException> unkept = turn.keep(id, () -> sent, exchange);
        if (unkept.isPresent()) {
            fail(response, unkept.get());
            return;
        }
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(sent);
        turn.write();
    }

    @Override
    public SseRelay.Relayed relay(ServerResponse response, ChatStream stream, ChatRequest request,
                                  String requestId) {
        try {
            return relayStream(response, stream);
        } finally {
            turn.write();
        }
    }

    private SseRelay.Relayed relayStream(ServerResponse response, ChatStream stream) {
        if (passthrough.isPresent()) {
            Passthrough relayed = passthrough.get();
            return relayed.relay(response, stream, error -> ResponsesStreamWriter.errorEvent(error, Integer.MAX_VALUE),
                    () -> {
                        ObjectNode completed = ResponsesPassthrough.completed(relayed);
                        return turn.keep(completed.path("id").asText(), () -> WireJson.bytes(completed), exchange);
                    });
        }
        ResponsesStreamWriter writer = new ResponsesStreamWriter(head);
        return EventRelay.relay(response, stream, EventRelay.Events.of(writer::onChunk, writer::onEnd,
                writer::failed, writer::usage),
                () -> turn.keep(head.id(), () -> WireJson.bytes(writer.finalResponse()), exchange));
    }
}
