package dev.veil.server.plugins;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.veil.server.core.ChatStream;
import dev.veil.server.core.Ticker;
import dev.veil.server.core.UpstreamException;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.StreamSink;
import dev.veil.spi.plugin.StreamTransformer;
import io.opentelemetry.api.trace.Span;

/**
 * A stream seen through the stream plugins: each upstream event passes through the transformers in order, each
 * feeding the next, and what the last one emits is what the client gets. Transformers may hold events back or emit
 * more than they got, so events queue here until the client side asks for them.
 */
final class PluginStream implements ChatStream {
    private final ChatStream upstream;
    private final List<Transformer> transformers;
    private final StreamSink[] sinks;
    private final ArrayDeque<ChatChunk> ready = new ArrayDeque<>();
    private boolean ended;

    PluginStream(ChatStream upstream, List<Transformer> transformers) {
        this.upstream = upstream;
        this.transformers = List.copyOf(transformers);
        // sinks[i] delivers to transformer i; the last one delivers to the client side.
        this.sinks = new StreamSink[transformers.size() + 1];
        for (int i = 0; i < transformers.size(); i++) {
            int stage = i;
            sinks[i] = event -> push(stage, event);
        }
        sinks[transformers.size()] = ready::add;
    }

    @Override
    public Optional<ChatChunk> next() throws UpstreamException {
        while (ready.isEmpty()) {
            if (ended) {
                return Optional.empty();
            }
            Optional<ChatChunk> event = upstream.next();
            if (event.isPresent()) {
                push(0, event.get());
            } else {
                ended = true;
                for (int i = 0; i < transformers.size(); i++) {
                    transformers.get(i).complete(sinks[i + 1]);
                }
            }
        }
        return Optional.of(ready.poll());
    }

    private void push(int index, ChatChunk event) {
        if (index == transformers.size()) {
            ready.add(event);
        } else {
            transformers.get(index).accept(event, sinks[index + 1]);
        }
    }

    @Override
    public void close() {
        try {
            upstream.close();
        } finally {
            for (Transformer transformer : transformers) {
                transformer.endSpan();
            }
        }
    }

    /**
     * One plugin's transformer for this stream, guarded like every plugin call: timed per event against the
     * plugin's timeout, and on failure either failing the stream or, fail-open, stepping aside for the rest of it.
     * One span covers the plugin's whole part in the stream, with the event count and busy time.
     */
    static final class Transformer {
        private final GuardedPhase<?> stage;
        private final StreamTransformer transformer;
        private final Ticker ticker;
        private final Span span;
        private long events;
        private long busyNanos;
        private boolean bypassed;
        private PluginTelemetry.Outcome outcome = PluginTelemetry.Outcome.OK;

        Transformer(GuardedPhase<?> stage, StreamTransformer transformer, Ticker ticker) {
            this.stage = stage;
            this.transformer = transformer;
            this.ticker = ticker;
            this.span = stage.telemetry().start(stage.spanName(), stage.name(), "stream");
        }

        void accept(ChatChunk event, StreamSink sink) {
            if (bypassed) {
                sink.emit(event);
                return;
            }
            events++;
            long start = ticker.nanos();
            boolean answered = invoke(() -> {
                transformer.onEvent(event, sink);
                return null;
            });
            if (!answered) {
                sink.emit(event);
                return;
            }
            long elapsed = ticker.nanos() - start;
            busyNanos += elapsed;
            try {
                stage.checkEvent(elapsed);
            } catch (VeilException e) {
                outcome = PluginTelemetry.Outcome.TIMED_OUT;
                throw e;
            }
        }

        void complete(StreamSink sink) {
            if (bypassed) {
                return;
            }
            invoke(() -> {
                transformer.onComplete(sink);
                return null;
            });
        }

        /**
         * Calls into the transformer under its plugin's class loader: true when it returned, false when it failed and
         * the stream goes on without it (fail-open); a rejection, or a failure under fail-closed, propagates.
         */
        private boolean invoke(Supplier<Void> call) {
            try {
                PluginClassLoader.withContextLoader(stage.loader(), call);
                return true;
            } catch (VeilException e) {
                outcome = PluginTelemetry.Outcome.REJECTED;
                throw e;
            } catch (RuntimeException | LinkageError e) {
                fail(e);
                return false;
            }
        }

        /** Fails the stream, or (fail-open) steps aside: later events pass this plugin untouched. */
        private void fail(Throwable e) {
            outcome = stage.failOpen() ? PluginTelemetry.Outcome.SKIPPED : PluginTelemetry.Outcome.FAILED;
            stage.eventFailed(e);
            bypassed = true;
        }

        void endSpan() {
            span.setAttribute(PluginTelemetry.EVENTS, events);
            span.setAttribute(PluginTelemetry.BUSY_MICROS, busyNanos / 1_000);
            PluginTelemetry.end(span, outcome);
        }
    }
}
