package dev.veil.server.audit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.logging.Logger;

import dev.veil.server.codec.openai.OpenAiDialect;
import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.core.Ticker;
import dev.veil.server.core.UpstreamException;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * What one request contributes to the audit log, gathered as the request moves along and written exactly once. The
 * request path tells it who called, which model was asked for, the request as sent upstream (placeholders, not
 * personal data) and the answer before placeholders were restored; {@link #record} then writes one record from the
 * exchange and its outcome. With no audit log configured every method does nothing.
 */
public final class RequestAudit {
    /** Where the request path finds the request's audit in its exchange (server-internal). */
    public static final AttributeKey<RequestAudit> KEY = AttributeKey.of("veil.audit", RequestAudit.class);

    private static final Logger LOGGER = Logger.getLogger(RequestAudit.class.getName());

    private final Optional<AuditLog> log;
    private final Tracer tracer;
    private final Ticker ticker;
    private final String requestId;
    private final String surface;
    private final int maxContentBytes;
    private volatile Caller caller;
    private volatile String requestedModel;
    private volatile Supplier<String> prompt;
    private volatile Supplier<String> response;
    private volatile boolean attempted;
    private volatile ToLongFunction<Outcome> pricing;

    private RequestAudit(Optional<AuditLog> log, String requestId, String surface, Tracer tracer, Ticker ticker) {
        this.log = log;
        this.tracer = tracer;
        this.ticker = ticker;
        this.requestId = requestId;
        this.surface = surface;
        this.maxContentBytes = log.map(AuditLog::maxContentBytes).orElse(0);
    }

    /**
     * The audit of one request, its write traced by {@code tracer}, its latency measured on {@code ticker}; a no-op
     * without an audit log.
     */
    public static RequestAudit start(Optional<AuditLog> log, String requestId, String surface, Tracer tracer,
                                     Ticker ticker) {
        return new RequestAudit(log, requestId, surface, tracer, ticker);
    }

    /** How to price an answer for its record, once the caller's virtual-key ticket knows the prices. */
    public void pricing(ToLongFunction<Outcome> costMicros) {
        this.pricing = costMicros;
    }

    /** Makes this audit reachable from the exchange, for the phases that see the redacted content. */
    public void attach(ServerExchange exchange) {
        if (log.isPresent()) {
            exchange.put(KEY, this);
        }
    }

    public void caller(Caller authenticated) {
        this.caller = authenticated;
    }

    public void requested(String model) {
        this.requestedModel = model;
    }

    /** The request as it goes upstream, after the decision phase replaced personal data with placeholders. */
    public void prompt(ChatRequest sent) {
        if (log.isPresent()) {
            prompt = () -> new String(OpenAiWriter.chatRequest(sent, sent.model(), OpenAiDialect.OPENAI),
                    StandardCharsets.UTF_8);
        }
    }

    /** The answer as it came from upstream (or a cache), before placeholders were restored. */
    public void answer(ChatResponse answer) {
        if (log.isPresent()) {
            response = () -> new String(OpenAiWriter.chatResponse(answer), StandardCharsets.UTF_8);
        }
    }

    /** The upstream stream, with its text collected (up to the content limit) as the answer's redacted content. */
    public ChatStream tap(ChatStream source) {
        if (log.isEmpty()) {
            return source;
        }
        StringBuilder text = new StringBuilder();
        response = text::toString;
        return new ChatStream() {
            @Override
            public Optional<ChatChunk> next() throws UpstreamException {
                Optional<ChatChunk> next = source.next();
                next.ifPresent(chunk -> {
                    synchronized (text) {
                        for (ChunkChoice choice : chunk.choices()) {
                            choice.delta().content().ifPresent(piece -> {
                                if (text.length() < maxContentBytes) {
                                    text.append(piece, 0, Math.min(piece.length(), maxContentBytes - text.length()));
                                }
                            });
                        }
                    }
                });
                return next;
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    /**
     * The stream the client is sent, which writes the record just before reporting its end, so that in sync mode a
     * client that sees the end of the stream implies a committed record. If the record cannot be written, the end is
     * replaced by the 503 {@code audit_unavailable} error, which the relay sends as an error event.
     */
    public ChatStream recordingAtEnd(ChatStream stream, ServerExchange exchange,
                                     Function<Optional<Usage>, Outcome> outcome) {
        if (log.isEmpty()) {
            return stream;
        }
        return new ChatStream() {
            private Usage usage;

            @Override
            public Optional<ChatChunk> next() throws UpstreamException {
                Optional<ChatChunk> next = stream.next();
                if (next.isPresent()) {
                    next.get().usage().ifPresent(u -> usage = u);
                    return next;
                }
                record(exchange, outcome.apply(Optional.ofNullable(usage)));
                return next;
            }

            @Override
            public void close() {
                stream.close();
            }
        };
    }

    /**
     * Writes the request's record, once; later calls do nothing.
     *
     * @throws VeilException a 503 {@code audit_unavailable} in sync mode when the record could not be committed
     */
    public void record(ServerExchange exchange, Outcome outcome) {
        if (log.isEmpty() || attempted) {
            return;
        }
        attempted = true;
        write(event(exchange, outcome.status(), outcome));
    }

    /**
     * Writes the record of a request that failed, once, without throwing: the client gets the error either way.
     * Requests that never authenticated are not recorded, so anonymous traffic cannot grow the log.
     */
    public void recordFailure(ServerExchange exchange, Outcome outcome, VeilException error) {
        if (log.isEmpty() || attempted || (exchange == null && caller == null)) {
            return;
        }
        attempted = true;
        try {
            write(event(exchange, error.status(), outcome != null ? outcome
                    : new Outcome(error.status(), Optional.of(error.kind()), Optional.empty(),
                    java.time.Duration.ZERO, Optional.empty(), Optional.empty(), 0, false), error));
        } catch (VeilException e) {
            LOGGER.warning(() -> "request " + requestId + " failed and its audit record could not be written");
        }
    }

    /** Appends the record inside its own span: in sync mode this is where a request waits for the disk. */
    private void write(AuditEvent event) {
        Span span = tracer.spanBuilder("veil.audit").startSpan();
        try (Scope ignored = span.makeCurrent()) {
            log.orElseThrow().record(event);
        } catch (VeilException e) {
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    private AuditEvent event(ServerExchange exchange, int status, Outcome outcome) {
        return event(exchange, status, outcome, null);
    }

    private AuditEvent event(ServerExchange exchange, int status, Outcome outcome, VeilException error) {
        Caller who = exchange != null ? exchange.caller() : caller;
        Optional<String> errorCode = error != null ? Optional.of(error.code().orElse(error.kind().type()))
                : outcome.error().map(kind -> kind.type());
        long latency = exchange != null ? (ticker.nanos() - exchange.startNanos()) / 1000
                : outcome.latency().toNanos() / 1000;
        return new AuditEvent(requestId, surface,
                Optional.ofNullable(who).map(Caller::keyId), Optional.ofNullable(who).map(Caller::tenant),
                Optional.ofNullable(who).map(Caller::team), Optional.ofNullable(requestedModel),
                outcome.provider(), outcome.model(), outcome.attempts(),
                attribute(exchange, Attributes.POLICY_DECISION_ID), attribute(exchange, Attributes.POLICY_REVISION),
                reasons(exchange), findings(exchange),
                outcome.usage(), cost(outcome), latency, status, errorCode,
                attribute(exchange, Attributes.CACHE_STATUS),
                attribute(exchange, Attributes.ZERO_RETENTION).orElse(false),
                attribute(exchange, Attributes.ZERO_RETENTION_REASON), outcome.clientCancelled(),
                Optional.ofNullable(prompt), Optional.ofNullable(response),
                Optional.ofNullable(who).flatMap(Caller::user));
    }

    private OptionalLong cost(Outcome outcome) {
        ToLongFunction<Outcome> price = pricing;
        return price == null || outcome.usage().isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(price.applyAsLong(outcome));
    }

    private static <T> Optional<T> attribute(ServerExchange exchange, AttributeKey<T> key) {
        return exchange == null ? Optional.empty() : exchange.get(key);
    }

    private static List<String> reasons(ServerExchange exchange) {
        return attribute(exchange, Attributes.POLICY_REASONS).map(reasons -> reasons.reasons()).orElse(List.of());
    }

    private static Map<String, Integer> findings(ServerExchange exchange) {
        return attribute(exchange, Attributes.PII_FINDINGS).map(findings -> findings.counts()).orElse(Map.of());
    }
}
