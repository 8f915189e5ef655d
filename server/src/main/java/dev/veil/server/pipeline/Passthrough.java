package dev.veil.server.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import dev.veil.server.audit.RequestAudit;
import dev.veil.server.config.TargetRef;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.RelayedAnswer;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.dispatch.DispatchPlan;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.dispatch.Dispatcher;
import dev.veil.server.http.RelayStream;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import io.helidon.webserver.http.ServerResponse;

/**
 * A request relayed untranslated (the Anthropic Messages and OpenAI Responses passthroughs): the client's bytes go
 * upstream, the upstream's bytes come back, while dispatch (routing, failover), audit and usage work on a parsed copy
 * as on the translated path. A surface supplies the provider calls and its own error event.
 *
 * <p>It applies only when nothing would make the bytes differ from the translated answer's meaning ({@link #of}): no
 * plugin answered, the request phases and the policy returned the very request that was parsed (PII redaction, a
 * token cap or zero retention's marker each make a new one), every plugin of the response and stream phases
 * {@linkplain dev.veil.spi.plugin.Plugin#leavesAnswerAlone leaves the answer alone}, and every target and context
 * fallback speaks the surface's wire format, so that the answer's form does not depend on which target answers.
 */
public final class Passthrough implements Pipeline.Direct {
    private static final Logger LOGGER = Logger.getLogger(Passthrough.class.getName());

    private final Gateway gateway;
    private final DispatchPlan plan;
    private final ServerExchange exchange;
    private final Dispatcher.Call<RelayedAnswer> answerCall;
    private final Dispatcher.Call<RelayStream> streamCall;
    private byte[] answer;
    private RelayStream stream;

    private Passthrough(Gateway gateway, DispatchPlan plan, ServerExchange exchange,
                        Dispatcher.Call<RelayedAnswer> answerCall, Dispatcher.Call<RelayStream> streamCall) {
        this.gateway = gateway;
        this.plan = plan;
        this.exchange = exchange;
        this.answerCall = answerCall;
        this.streamCall = streamCall;
    }

    /**
     * The passthrough of {@code admitted}, when it may apply (see the class description).
     *
     * @param relays whether a target speaks the surface's wire format, so the client's bytes may go to it
     * @param answerCall relays a complete answer from one target
     * @param streamCall relays a stream from one target
     */
    public static Optional<Passthrough> of(Gateway gateway, ChatRequest parsed, Pipeline.Admitted admitted,
                                           ServerExchange exchange, Predicate<TargetRef> relays,
                                           Dispatcher.Call<RelayedAnswer> answerCall,
                                           Dispatcher.Call<RelayStream> streamCall) {
        DispatchPlan plan = admitted.plan();
        // The targets last: a surface's test of a target may read the body, which the other conditions spare.
        if (admitted.intercepted().isPresent() || admitted.request() != parsed
                || !gateway.plugins().leaveAnswerAlone(exchange)
                || !Stream.concat(plan.targets().stream(), plan.contextFallbacks().stream()).allMatch(relays)) {
            return Optional.empty();
        }
        return Optional.of(new Passthrough(gateway, plan, exchange, answerCall, streamCall));
    }

    @Override
    public Pipeline.Answered answer() {
        Dispatched<RelayedAnswer> dispatched = gateway.dispatcher().dispatch("chat", plan, answerCall);
        ChatResponse response = dispatched.result().response();
        answer = dispatched.result().body();
        exchange.get(RequestAudit.KEY).ifPresent(audit -> audit.answer(response));
        return new Pipeline.Answered(response, Optional.of(new Dispatched<>(response, dispatched.target(),
                dispatched.attempts())));
    }

    @Override
    public Pipeline.Streaming stream() {
        Dispatched<RelayStream> dispatched = gateway.dispatcher().dispatch("chat", plan, streamCall);
        stream = dispatched.result();
        ChatStream tapped = exchange.get(RequestAudit.KEY).map(audit -> audit.tap(stream)).orElse(stream);
        return new Pipeline.Streaming(tapped, Optional.of(new Dispatched<>(tapped, dispatched.target(),
                dispatched.attempts())));
    }

    /** The upstream's complete answer as it came, once {@link #answer} has run. */
    public byte[] body() {
        return answer;
    }

    /** The upstream's last event, held back until the relay ends the stream. */
    public Optional<byte[]> lastEvent() {
        return stream.lastEvent();
    }

    /**
     * Relays the upstream's events as they come; {@code events} is the stream {@link #stream} opened, as the audit
     * wraps it. {@code beforeEnd} runs before the held-back last event reaches the client, and a failure it returns
     * ends the stream instead. A failure after the start ends the stream with the upstream's own error event, or,
     * when there was none (a broken connection), with {@code errorEvent}.
     */
    public SseRelay.Relayed relay(ServerResponse response, ChatStream events,
                                  Function<VeilException, byte[]> errorEvent,
                                  Supplier<Optional<VeilException>> beforeEnd) {
        SseRelay.headers(response);
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
                    write(out, errorEvent.apply(error));
                }
                return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.of(error), false);
            } catch (VeilException e) {
                write(out, errorEvent.apply(e));
                return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.of(e), false);
            }
            Optional<VeilException> failed = beforeEnd.get();
            if (failed.isPresent()) {
                write(out, errorEvent.apply(failed.get()));
                return new SseRelay.Relayed(Optional.ofNullable(usage), failed, false);
            }
            stream.finish();
            return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.empty(), false);
        } catch (IOException | UncheckedIOException e) {
            LOGGER.log(Level.FINE, "client went away mid-stream; upstream call aborted");
            return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.empty(), true);
        }
    }

    private static void write(OutputStream out, byte[] frame) throws IOException {
        out.write(frame);
        out.flush();
    }
}
