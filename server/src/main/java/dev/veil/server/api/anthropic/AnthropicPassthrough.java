package dev.veil.server.api.anthropic;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import dev.veil.server.audit.RequestAudit;
import dev.veil.server.codec.anthropic.AnthropicStreamWriter;
import dev.veil.server.config.ProviderKind;
import dev.veil.server.config.TargetRef;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.RelayedAnswer;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.dispatch.DispatchPlan;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.http.RelayStream;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.pipeline.SseRelay;
import dev.veil.server.providers.anthropic.AnthropicAdapter;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.webserver.http.ServerResponse;

/**
 * The Anthropic passthrough: a {@code /v1/messages} request whose every target is an Anthropic provider goes
 * upstream as the client's own bytes (only {@code model} rewritten, when an alias resolved it), and the answer comes
 * back as the upstream's own bytes, so that fields and event types Veil does not know yet work unchanged. Everything
 * else about the request (authentication, plugins, policy, routing and failover, zero retention, audit, completion)
 * happens as on the translated path; usage is read from a copy of the answer.
 *
 * <p>It applies only when nothing would make the bytes differ from the translated answer's meaning: no plugin
 * answered, the request phases and the policy returned the very request that was parsed (PII redaction, a token cap
 * or zero retention's marker each make a new one), every plugin of the response and stream phases
 * {@linkplain dev.veil.spi.plugin.Plugin#leavesAnswerAlone leaves the answer alone}, and every target and context
 * fallback is an Anthropic provider, so that the answer's form does not depend on which target answers. Otherwise the
 * request takes the translated path.
 */
final class AnthropicPassthrough implements Pipeline.Direct {
    private static final Logger LOGGER = Logger.getLogger(AnthropicPassthrough.class.getName());

    private final Gateway gateway;
    private final byte[] body;
    private final AnthropicAdapter.ClientHeaders headers;
    private final DispatchPlan plan;
    private final ServerExchange exchange;
    private byte[] answer;
    private RelayStream stream;

    private AnthropicPassthrough(Gateway gateway, byte[] body, AnthropicAdapter.ClientHeaders headers,
                                 DispatchPlan plan, ServerExchange exchange) {
        this.gateway = gateway;
        this.body = body;
        this.headers = headers;
        this.plan = plan;
        this.exchange = exchange;
    }

    /** The passthrough of {@code admitted}, when it may apply (see the class description). */
    static Optional<AnthropicPassthrough> of(Gateway gateway, byte[] body, AnthropicAdapter.ClientHeaders headers,
                                             ChatRequest parsed, Pipeline.Admitted admitted,
                                             ServerExchange exchange) {
        DispatchPlan plan = admitted.plan();
        boolean anthropicOnly = Stream.concat(plan.targets().stream(), plan.contextFallbacks().stream())
                .allMatch(target -> anthropic(gateway, target));
        if (admitted.intercepted().isPresent() || admitted.request() != parsed || !anthropicOnly
                || !gateway.plugins().leaveAnswerAlone(exchange)) {
            return Optional.empty();
        }
        return Optional.of(new AnthropicPassthrough(gateway, body, headers, plan, exchange));
    }

    private static boolean anthropic(Gateway gateway, TargetRef target) {
        return gateway.providers().get(target.provider()).filter(provider ->
                provider.config().kind() == ProviderKind.ANTHROPIC
                        && provider.adapter() instanceof AnthropicAdapter).isPresent();
    }

    @Override
    public Pipeline.Answered answer() {
        Dispatched<RelayedAnswer> dispatched = gateway.dispatcher().dispatch("chat", plan,
                (adapter, target) -> ((AnthropicAdapter) adapter).relay(body, target.model(), headers));
        ChatResponse response = dispatched.result().response();
        answer = dispatched.result().body();
        exchange.get(RequestAudit.KEY).ifPresent(audit -> audit.answer(response));
        return new Pipeline.Answered(response, Optional.of(new Dispatched<>(response, dispatched.target(),
                dispatched.attempts())));
    }

    @Override
    public Pipeline.Streaming stream() {
        Dispatched<RelayStream> dispatched = gateway.dispatcher().dispatch("chat", plan,
                (adapter, target) -> ((AnthropicAdapter) adapter).relayStream(body, target.model(), headers));
        stream = dispatched.result();
        ChatStream tapped = exchange.get(RequestAudit.KEY).map(audit -> audit.tap(stream)).orElse(stream);
        return new Pipeline.Streaming(tapped, Optional.of(new Dispatched<>(tapped, dispatched.target(),
                dispatched.attempts())));
    }

    /** Sends the upstream's answer as it came. */
    void send(ServerResponse response) {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(answer);
    }

    /**
     * Relays the upstream's events as they come; {@code events} is the stream {@link #stream} opened, as the audit
     * wraps it. A failure after the start ends the stream with the upstream's own {@code error} event, or, when there
     * was none (a broken connection), with one of Veil's in Anthropic's shape.
     */
    SseRelay.Relayed relay(ServerResponse response, ChatStream events, String requestId) {
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        response.header(HeaderNames.create("X-Accel-Buffering"), "no");
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
                    write(out, AnthropicStreamWriter.error(error, requestId));
                }
                return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.of(error), false);
            } catch (VeilException e) {
                write(out, AnthropicStreamWriter.error(e, requestId));
                return new SseRelay.Relayed(Optional.ofNullable(usage), Optional.of(e), false);
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

    /** The client's Anthropic headers, which a passthrough body was written against. */
    static AnthropicAdapter.ClientHeaders clientHeaders(Headers request) {
        return new AnthropicAdapter.ClientHeaders(request.first(HeaderNames.create("anthropic-version")),
                request.first(HeaderNames.create("anthropic-beta")));
    }
}
