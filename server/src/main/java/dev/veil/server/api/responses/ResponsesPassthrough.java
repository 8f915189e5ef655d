package dev.veil.server.api.responses;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.audit.RequestAudit;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.responses.ResponsesStreamWriter;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.config.ProviderKind;
import dev.veil.server.config.TargetRef;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.RelayedAnswer;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.dispatch.DispatchPlan;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.http.RelayStream;
import dev.veil.server.http.SseFrames;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.pipeline.SseRelay;
import dev.veil.server.providers.openai.OpenAiAdapter;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import io.helidon.webserver.http.ServerResponse;

/**
 * The Responses passthrough: a {@code /v1/responses} request whose every target is OpenAI goes upstream as the
 * client's own bytes (only {@code model} rewritten, when an alias resolved it), and the answer comes back as
 * OpenAI's own bytes, so built-in tools and fields Veil does not know work unchanged. Everything else about the
 * request (authentication, plugins, policy, routing and failover, audit, completion) happens as on the translated
 * path; usage is read from a copy of the answer.
 *
 * <p>It applies only when nothing would make the bytes differ from the translated answer's meaning, as for the
 * Anthropic passthrough: no plugin answered, the request phases and the policy returned the very request that was
 * parsed (PII redaction, a token cap or zero retention's marker each make a new one), every plugin of the response
 * and stream phases leaves the answer alone, and every target is an OpenAI provider that serves the Responses API.
 * A request that continues a conversation Veil keeps is never relayed: its history lives in Veil, not in the body.
 */
final class ResponsesPassthrough implements Pipeline.Direct {
    private static final Logger LOGGER = Logger.getLogger(ResponsesPassthrough.class.getName());

    private final Gateway gateway;
    private final byte[] body;
    private final DispatchPlan plan;
    private final ServerExchange exchange;
    private byte[] answer;
    private RelayStream stream;

    private ResponsesPassthrough(Gateway gateway, byte[] body, DispatchPlan plan, ServerExchange exchange) {
        this.gateway = gateway;
        this.body = body;
        this.plan = plan;
        this.exchange = exchange;
    }

    /** The passthrough of {@code admitted}, when it may apply (see the class description). */
    static Optional<ResponsesPassthrough> of(Gateway gateway, byte[] body, ChatRequest parsed,
                                             Pipeline.Admitted admitted, ServerExchange exchange) {
        DispatchPlan plan = admitted.plan();
        boolean openAiOnly = Stream.concat(plan.targets().stream(), plan.contextFallbacks().stream())
                .allMatch(target -> servesResponses(gateway, target));
        if (admitted.intercepted().isPresent() || admitted.request() != parsed || !openAiOnly
                || !gateway.plugins().leaveAnswerAlone(exchange)) {
            return Optional.empty();
        }
        return Optional.of(new ResponsesPassthrough(gateway, body, plan, exchange));
    }

    private static boolean servesResponses(Gateway gateway, TargetRef target) {
        return gateway.providers().get(target.provider()).filter(provider ->
                provider.config().kind() == ProviderKind.OPENAI
                        && provider.adapter() instanceof OpenAiAdapter openAi && openAi.servesResponses()).isPresent();
    }

    @Override
    public Pipeline.Answered answer() {
        Dispatched<RelayedAnswer> dispatched = gateway.dispatcher().dispatch("chat", plan,
                (adapter, target) -> ((OpenAiAdapter) adapter).relayResponse(body, target.model()));
        ChatResponse response = dispatched.result().response();
        answer = dispatched.result().body();
        exchange.get(RequestAudit.KEY).ifPresent(audit -> audit.answer(response));
        return new Pipeline.Answered(response, Optional.of(new Dispatched<>(response, dispatched.target(),
                dispatched.attempts())));
    }

    @Override
    public Pipeline.Streaming stream() {
        Dispatched<RelayStream> dispatched = gateway.dispatcher().dispatch("chat", plan,
                (adapter, target) -> ((OpenAiAdapter) adapter).relayResponseStream(body, target.model()));
        stream = dispatched.result();
        ChatStream tapped = exchange.get(RequestAudit.KEY).map(audit -> audit.tap(stream)).orElse(stream);
        return new Pipeline.Streaming(tapped, Optional.of(new Dispatched<>(tapped, dispatched.target(),
                dispatched.attempts())));
    }

    /** The upstream's answer as it came. */
    byte[] body() {
        return answer;
    }

    /** The upstream's answer, to keep. */
    ObjectNode answerObject() {
        try {
            return (ObjectNode) WireJson.parse(answer, "a response");
        } catch (MalformedUpstreamException | ClassCastException e) {
            // Read once already, by the adapter: the same bytes cannot fail now.
            throw new IllegalStateException("a relayed answer could not be read again", e);
        }
    }

    /**
     * Relays the upstream's events as they come; {@code events} is the stream {@link #stream} opened, as the audit
     * wraps it. The completed response goes to {@code completed} before its event reaches the client. A failure after
     * the start ends the stream with the upstream's own failure event, or, when there was none (a broken connection),
     * with Veil's {@code error} event.
     */
    SseRelay.Relayed relay(ServerResponse response, ChatStream events, Consumer<ObjectNode> completed) {
        ResponsesSseRelay.headers(response);
        Usage usage = null;
        try (events; OutputStream out = response.outputStream()) {
            try {
                stream.attach(out);
                for (Optional<ChatChunk> next = events.next(); next.isPresent(); next = events.next()) {
                    if (next.get().usage().isPresent()) {
                        usage = next.get().usage().get();
                    }
                }
            } catch (UpstreamException e) {
                LOGGER.log(Level.WARNING, () -> "provider " + e.provider() + " failed mid-stream (" + e.summary()
                        + "); the client got an error event");
                VeilException error = e.toClientError();
                if (!stream.errorRelayed()) {
                    write(out, error);
                }
                return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.of(error), false);
            } catch (VeilException e) {
                write(out, e);
                return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.of(e), false);
            }
            Optional<VeilException> unkept = ConversationTurn.keeping(() -> completed.accept(completedResponse()));
            if (unkept.isPresent()) {
                write(out, unkept.get());
                return new SseRelay.Relayed(Optional.ofNullable(usage), unkept, false);
            }
            stream.finish();
            return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.empty(), false);
        } catch (IOException | UncheckedIOException e) {
            LOGGER.log(Level.FINE, "client went away mid-stream; upstream call aborted");
            return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.empty(), true);
        }
    }

    /** The response the held-back last event carries. */
    private ObjectNode completedResponse() {
        byte[] last = stream.lastEvent().orElseThrow(() -> new IllegalStateException("the stream ended without "
                + "its last event"));
        try {
            JsonNode event = WireJson.parse(SseFrames.parse(last).orElseThrow().data(), "a stream event");
            if (!(event.path("response") instanceof ObjectNode completed)) {
                throw new VeilException(ErrorKind.UPSTREAM, "OpenAI's last stream event carried no response");
            }
            return completed;
        } catch (MalformedUpstreamException | IOException e) {
            throw new IllegalStateException("a relayed event could not be read again", e);
        }
    }

    /**
     * Veil's {@code error} event after the upstream's last: numbered after any event a Responses stream could have
     * sent before it, since the upstream's numbering is not tracked.
     */
    private static void write(OutputStream out, VeilException error) throws IOException {
        out.write(ResponsesStreamWriter.errorEvent(error, Integer.MAX_VALUE));
        out.flush();
    }
}
