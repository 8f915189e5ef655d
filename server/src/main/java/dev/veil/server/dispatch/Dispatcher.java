package dev.veil.server.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.config.TargetRef;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ProviderAdapter;
import dev.veil.server.core.Ticker;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.policy.Clearance;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.server.telemetry.GenAi;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attempt;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * Calls the targets of a {@link DispatchPlan} until one answers. A target that is unreachable, slow, overloaded or
 * rate limited hands over to the next; one that rejects the request itself ends dispatch, since the next would
 * reject it too — except a request too long for a target's context window, which goes to the plan's larger-context
 * fallbacks. When every target failed, dispatch waits a jittered, exponentially growing backoff (at least as long as
 * a rate limit's {@code Retry-After}) and tries them all again, as many rounds as the plan allows and never past its
 * deadline. A stream may hand over only until its first event, because after that the client has seen output.
 * Every attempt is reported to the plan's listener.
 */
public final class Dispatcher {
    private static final Logger LOGGER = Logger.getLogger(Dispatcher.class.getName());

    private final ProviderRegistry providers;
    private final Tracer tracer;
    private final Ticker ticker;

    /**
     * A dispatcher that traces each attempt as a client span, which the upstream call's traceparent names, and times
     * deadlines and attempts on {@code ticker}.
     */
    public Dispatcher(ProviderRegistry providers, OpenTelemetry openTelemetry, Ticker ticker) {
        this.providers = providers;
        this.tracer = openTelemetry.getTracer("dev.veil.server");
        this.ticker = ticker;
    }

    /** One attempt at one target, for callers that need more of an adapter than the canonical calls. */
    @FunctionalInterface
    public interface Call<T> {
        T call(ProviderAdapter adapter, TargetRef target) throws UpstreamException;
    }

    public Dispatched<ChatResponse> chat(ChatRequest request, DispatchPlan plan) {
        return dispatch("chat", plan, (adapter, target) -> adapter.chat(request, target.model()));
    }

    public Dispatched<EmbeddingsResponse> embeddings(EmbeddingsRequest request, Clearance clearance) {
        return dispatch("embeddings", DispatchPlan.once(clearance), (adapter, target) -> adapter.embeddings(request,
                target.model()));
    }

    /** Opens a stream and waits for its first event, so that a failure before any output can still fail over. */
    public Dispatched<ChatStream> stream(ChatRequest request, DispatchPlan plan) {
        return dispatch("chat", plan, (adapter, target) -> {
            ChatStream stream = adapter.stream(request, target.model());
            try {
                return new FirstEventRead(stream, stream.next());
            } catch (UpstreamException | RuntimeException e) {
                stream.close();
                throw e;
            }
        });
    }

    /**
     * Dispatches {@code call} over the plan with the same failover, backoff, deadline and reporting as a chat
     * request. A call that opens a stream must read up to its first event itself, as {@link #stream} does.
     */
    public <T> Dispatched<T> dispatch(String operation, DispatchPlan plan, Call<T> call) {
        long deadline = ticker.nanos() + plan.deadline().toNanos();
        UpstreamException last = null;
        int attempts = 0;
        List<TargetRef> targets = plan.targets();
        boolean contextFallbacks = false;
        for (int round = 0; round <= plan.retries(); round++) {
            long retryAfterNanos = 0;
            for (int i = 0; i < targets.size(); i++) {
                if (attempts > 0 && ticker.nanos() - deadline >= 0) {
                    return giveUp(last, attempts, "its deadline passed");
                }
                TargetRef target = targets.get(i);
                ProviderRegistry.Provider provider = providers.get(target.provider())
                        .orElseThrow(() -> new VeilException(ErrorKind.INTERNAL, "provider '" + target.provider()
                                + "' is not configured"));
                attempts++;
                long start = ticker.nanos();
                Span span = attemptSpan(operation, provider, target);
                try (Scope ignored = span.makeCurrent()) {
                    T result = callBefore(deadline, call, provider.adapter(), target);
                    span.end();
                    report(plan, target, Attempt.Result.SUCCEEDED, start, OptionalLong.empty());
                    return new Dispatched<>(result, target, attempts);
                } catch (UpstreamException e) {
                    last = e;
                    Attempt.Result result = resultOf(e);
                    span.setStatus(StatusCode.ERROR);
                    span.setAttribute(GenAi.ERROR_TYPE, result.name().toLowerCase(Locale.ROOT));
                    if (e.status() > 0) {
                        span.setAttribute(GenAi.HTTP_STATUS, (long) e.status());
                    }
                    span.end();
                    report(plan, target, result, start, e.retryAfterSeconds());
                    if (result == Attempt.Result.CONTEXT_TOO_LONG && !contextFallbacks
                            && !plan.contextFallbacks().isEmpty()) {
                        LOGGER.info(() -> "provider " + e.provider() + " found the request too long for its context "
                                + "window; trying the larger-context fallbacks");
                        contextFallbacks = true;
                        targets = plan.contextFallbacks();
                        i = -1;
                        continue;
                    }
                    if (!e.retryable()) {
                        return giveUp(e, attempts, "the provider rejected the request");
                    }
                    if (e.retryAfterSeconds().isPresent()) {
                        retryAfterNanos = Math.max(retryAfterNanos,
                                TimeUnit.SECONDS.toNanos(e.retryAfterSeconds().getAsLong()));
                    }
                    if (i < targets.size() - 1) {
                        LOGGER.log(Level.INFO, () -> "provider " + e.provider() + " failed (" + e.summary()
                                + "), trying the next target");
                    }
                } catch (RuntimeException e) {
                    span.setStatus(StatusCode.ERROR);
                    span.end();
                    throw e;
                }
            }
            if (round < plan.retries() && !waitBeforeRound(plan, round, retryAfterNanos, deadline)) {
                return giveUp(last, attempts, "waiting for another round would pass its deadline");
            }
        }
        return giveUp(last, attempts, "every target failed");
    }

    /** A client span for one attempt: the upstream call's traceparent names it, so the provider's trace joins. */
    private Span attemptSpan(String operation, ProviderRegistry.Provider provider, TargetRef target) {
        String model = GenAi.model(target.model(), true);
        var span = tracer.spanBuilder(operation + " " + model).setSpanKind(SpanKind.CLIENT)
                .setAttribute(GenAi.OPERATION, operation)
                .setAttribute(GenAi.PROVIDER, GenAi.providerName(provider.family()))
                .setAttribute(GenAi.REQUEST_MODEL, model)
                .setAttribute(GenAi.TARGET_PROVIDER, target.provider());
        provider.config().baseUrl().ifPresent(url -> {
            if (url.getHost() != null) {
                span.setAttribute(GenAi.SERVER_ADDRESS, url.getHost());
            }
        });
        return span.startSpan();
    }

    /**
     * Calls one target, cut off when the plan's deadline passes: the provider's read timeout (ten minutes by default)
     * is per read and knows nothing of the deadline, so without the cut a hanging target would hold the request far
     * past it. The cut interrupts the request's own thread, which closes a socket a virtual thread is blocked on; the
     * interrupt never outlives the call.
     */
    private <T> T callBefore(long deadline, Call<T> call, ProviderAdapter adapter, TargetRef target)
            throws UpstreamException {
        DeadlineAlarm alarm = DeadlineAlarm.set(deadline - ticker.nanos());
        try {
            return call.call(adapter, target);
        } catch (UpstreamException | RuntimeException e) {
            if (alarm.disarm()) {
                throw UpstreamException.timeout(target.provider(), e);
            }
            throw e;
        } finally {
            alarm.disarm();
        }
    }

    /** Interrupts the thread that set it when a deadline passes, unless disarmed first. */
    private static final class DeadlineAlarm implements Runnable {
        private static final ScheduledThreadPoolExecutor ALARMS = alarms();

        private final Thread thread = Thread.currentThread();
        private ScheduledFuture<?> scheduled;
        private boolean disarmed;
        private boolean rang;

        private static ScheduledThreadPoolExecutor alarms() {
            ScheduledThreadPoolExecutor alarms = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().daemon().name("veil-dispatch-deadline").factory());
            alarms.setRemoveOnCancelPolicy(true);
            return alarms;
        }

        /** Rings after {@code delayNanos} of real time: it must interrupt a thread blocked in a real socket. */
        static DeadlineAlarm set(long delayNanos) {
            DeadlineAlarm alarm = new DeadlineAlarm();
            alarm.scheduled = ALARMS.schedule(alarm, delayNanos, TimeUnit.NANOSECONDS);
            return alarm;
        }

        @Override
        public synchronized void run() {
            if (!disarmed) {
                rang = true;
                thread.interrupt();
            }
        }

        /** Stops the alarm and clears an interrupt it delivered; true when it rang. */
        synchronized boolean disarm() {
            if (!disarmed) {
                disarmed = true;
                scheduled.cancel(false);
                if (rang) {
                    Thread.interrupted();
                }
            }
            return rang;
        }
    }

    /** Sleeps the jittered backoff before another round; false when that would pass the deadline. */
    private boolean waitBeforeRound(DispatchPlan plan, int round, long retryAfterNanos, long deadline) {
        long base = plan.backoff().toNanos() << Math.min(round, 16);
        long jittered = (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
        long wait = Math.max(jittered, retryAfterNanos);
        if (ticker.nanos() + wait - deadline >= 0) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static <T> Dispatched<T> giveUp(UpstreamException failure, int attempts, String why) {
        // Upstream trouble is the operator's business; a request the provider rejected is the client's.
        LOGGER.log(failure.retryable() ? Level.WARNING : Level.FINE, () -> "request failed at provider "
                + failure.provider() + " (" + failure.summary() + ") after " + attempts + " attempt(s): " + why);
        throw failure.toClientError();
    }

    private void report(DispatchPlan plan, TargetRef target, Attempt.Result result, long startNanos,
                        OptionalLong retryAfterSeconds) {
        plan.listener().onAttempt(new Attempt(target.toTarget(), result,
                Duration.ofNanos(ticker.nanos() - startNanos),
                retryAfterSeconds.isPresent() ? Optional.of(Duration.ofSeconds(retryAfterSeconds.getAsLong()))
                        : Optional.empty()));
    }

    /** How a failed attempt counts for a routing plugin's view of the target. */
    static Attempt.Result resultOf(UpstreamException e) {
        return switch (e.failure()) {
            case CONNECT, BROKEN -> Attempt.Result.UNREACHABLE;
            case TIMEOUT -> Attempt.Result.TIMED_OUT;
            case MALFORMED -> Attempt.Result.REJECTED;
            case STATUS -> {
                if (e.status() == 408) {
                    yield Attempt.Result.TIMED_OUT;
                }
                if (e.status() == 429) {
                    yield Attempt.Result.RATE_LIMITED;
                }
                if (e.status() >= 500) {
                    yield Attempt.Result.OVERLOADED;
                }
                yield e.contextTooLong() ? Attempt.Result.CONTEXT_TOO_LONG : Attempt.Result.REJECTED;
            }
        };
    }

    /** A stream whose first event has already been read. */
    private static final class FirstEventRead implements ChatStream {
        private final ChatStream stream;
        private final Optional<ChatChunk> first;
        private boolean firstTaken;

        FirstEventRead(ChatStream stream, Optional<ChatChunk> first) {
            this.stream = stream;
            this.first = first;
        }

        @Override
        public Optional<ChatChunk> next() throws UpstreamException {
            if (!firstTaken) {
                firstTaken = true;
                return first;
            }
            return stream.next();
        }

        @Override
        public void close() {
            stream.close();
        }
    }
}
