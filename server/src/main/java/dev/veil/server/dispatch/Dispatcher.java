package dev.veil.server.dispatch;

import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.config.TargetRef;
import dev.veil.server.providers.ChatStream;
import dev.veil.server.providers.ProviderAdapter;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.server.providers.UpstreamException;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * Calls the candidates in order until one answers. A candidate that is unreachable, slow, overloaded or rate limited
 * hands over to the next; one that rejects the request itself ends the attempt, since the next would reject it too.
 * A stream may hand over only until its first event, because after that the client has seen output.
 */
public final class Dispatcher {
    private static final Logger LOGGER = Logger.getLogger(Dispatcher.class.getName());

    private final ProviderRegistry providers;

    public Dispatcher(ProviderRegistry providers) {
        this.providers = providers;
    }

    @FunctionalInterface
    private interface Call<T> {
        T call(ProviderAdapter adapter, TargetRef target) throws UpstreamException;
    }

    public Dispatched<ChatResponse> chat(ChatRequest request, List<TargetRef> candidates) {
        return dispatch(candidates, (adapter, target) -> adapter.chat(request, target.model()));
    }

    public Dispatched<EmbeddingsResponse> embeddings(EmbeddingsRequest request, List<TargetRef> candidates) {
        return dispatch(candidates, (adapter, target) -> adapter.embeddings(request, target.model()));
    }

    /** Opens a stream and waits for its first event, so that a failure before any output can still fail over. */
    public Dispatched<ChatStream> stream(ChatRequest request, List<TargetRef> candidates) {
        return dispatch(candidates, (adapter, target) -> {
            ChatStream stream = adapter.stream(request, target.model());
            try {
                return new FirstEventRead(stream, stream.next());
            } catch (UpstreamException | RuntimeException e) {
                stream.close();
                throw e;
            }
        });
    }

    private <T> Dispatched<T> dispatch(List<TargetRef> candidates, Call<T> call) {
        UpstreamException last = null;
        int attempts = 0;
        for (TargetRef target : candidates) {
            ProviderAdapter adapter = providers.get(target.provider()).map(ProviderRegistry.Provider::adapter)
                    .orElseThrow(() -> new VeilException(ErrorKind.INTERNAL, "provider '" + target.provider()
                            + "' is not configured"));
            attempts++;
            try {
                return new Dispatched<>(call.call(adapter, target), target, attempts);
            } catch (UpstreamException e) {
                last = e;
                if (!e.retryable()) {
                    break;
                }
                if (attempts < candidates.size()) {
                    LOGGER.log(Level.INFO, () -> "provider " + e.provider() + " failed (" + e.summary()
                            + "), trying the next candidate");
                }
            }
        }
        UpstreamException failure = last;
        // Upstream trouble is the operator's business; a request the provider rejected is the client's.
        LOGGER.log(failure.retryable() ? Level.WARNING : Level.FINE, () -> "request failed at provider "
                + failure.provider() + " (" + failure.summary() + ") after " + candidates.size() + " candidate(s)");
        throw failure.toClientError();
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
