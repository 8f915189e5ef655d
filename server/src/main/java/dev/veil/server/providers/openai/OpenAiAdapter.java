package dev.veil.server.providers.openai;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.ModelField;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.server.codec.openai.OpenAiDialect;
import dev.veil.server.codec.openai.OpenAiResponses;
import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.codec.responses.ResponsesAnswers;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ProviderAdapter;
import dev.veil.server.core.RelayedAnswer;
import dev.veil.server.core.Ticker;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.http.RelayStream;
import dev.veil.server.http.SseReader;
import dev.veil.server.http.UpstreamEvents;
import dev.veil.server.http.UpstreamHttp;
import dev.veil.server.http.UpstreamResponse;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import io.helidon.http.Header;

/**
 * The OpenAI wire family: OpenAI itself, Azure OpenAI and every OpenAI-compatible server. What differs between them
 * (addresses, authentication, dialect) lives in {@link OpenAiEndpoints} and {@link OpenAiDialect}.
 */
public final class OpenAiAdapter implements ProviderAdapter {
    private static final Logger LOGGER = Logger.getLogger(OpenAiAdapter.class.getName());
    /** Listing models serves a catalogue page, not a completion: it must not wait long. */
    private static final Duration MODELS_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MODELS_TTL = Duration.ofMinutes(10);
    private static final Duration MODELS_RETRY = Duration.ofMinutes(1);

    private final String provider;
    private final OpenAiEndpoints endpoints;
    private final OpenAiDialect dialect;
    private final UpstreamHttp http;
    private final List<String> configuredModels;
    private final Ticker ticker;
    private final AtomicReference<ListedModels> listed = new AtomicReference<>();

    /** An adapter that keeps a provider's model list for a while, as {@code ticker} tells time. */
    public OpenAiAdapter(String provider, OpenAiEndpoints endpoints, OpenAiDialect dialect, UpstreamHttp http,
                         List<String> models, Ticker ticker) {
        this.provider = provider;
        this.ticker = ticker;
        this.endpoints = endpoints;
        this.dialect = dialect;
        this.http = http;
        this.configuredModels = List.copyOf(models);
    }

    @Override
    public ChatResponse chat(ChatRequest request, String model) throws UpstreamException {
        byte[] body = OpenAiWriter.chatRequest(request, model, dialect);
        try (UpstreamResponse response = http.post(endpoints.chat(model), endpoints.headers(), body, false)) {
            return OpenAiResponses.chatResponse(http.body(response));
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    @Override
    public ChatStream stream(ChatRequest request, String model) throws UpstreamException {
        byte[] body = OpenAiWriter.chatRequest(request, model, dialect);
        UpstreamResponse response = http.post(endpoints.chat(model), endpoints.headers(), body, true);
        return new OpenAiChatStream(UpstreamEvents.open(provider, http, response));
    }

    @Override
    public EmbeddingsResponse embeddings(EmbeddingsRequest request, String model) throws UpstreamException {
        byte[] body = OpenAiWriter.embeddingsRequest(request, model, dialect);
        try (UpstreamResponse response = http.post(endpoints.embeddings(model), endpoints.headers(), body,
                false)) {
            return OpenAiResponses.embeddings(http.body(response));
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    /**
     * Whether a client's chat completions body, {@code request} as parsed with the top-level {@code fields}, may go to
     * this provider as it is (but for its {@code model}): see {@link OpenAiDialect#leavesAsWritten}.
     */
    public boolean relaysChat(ChatRequest request, Set<String> fields) {
        return dialect.leavesAsWritten(request, fields);
    }

    /**
     * Sends a client's chat completions body as it is, but for its {@code model}, and returns the answer's bytes with a
     * canonical reading of them.
     */
    public RelayedAnswer relayChat(byte[] body, String model) throws UpstreamException {
        try (UpstreamResponse response = http.post(endpoints.chat(model), endpoints.headers(),
                ModelField.rewrite(body, model), false)) {
            byte[] answer = http.body(response);
            return new RelayedAnswer(answer, OpenAiResponses.chatResponse(answer));
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    /**
     * Starts a streamed answer to a client's chat completions body sent as it is (but for its {@code model}), which
     * must ask for usage ({@code stream_options.include_usage}); returns once the first event that carries content
     * has arrived. {@code clientWantsUsage} says whether the client itself asked, so whether it sees the usage event.
     */
    public RelayStream relayChatStream(byte[] body, String model, boolean clientWantsUsage)
            throws UpstreamException {
        UpstreamResponse response = http.post(endpoints.chat(model), endpoints.headers(),
                ModelField.rewrite(body, model), true);
        return RelayStream.open(provider, http, response, new ChatEventTranslator(clientWantsUsage));
    }

    /** Whether the provider serves OpenAI's Responses API, so that a Responses request may be relayed to it as it is. */
    public boolean servesResponses() {
        return endpoints.responses().isPresent();
    }

    /**
     * Sends a client's Responses body as it is, but for its {@code model}, and returns the answer's bytes with a
     * canonical reading of them.
     *
     * @throws IllegalStateException when the provider does not {@linkplain #servesResponses serve} the Responses API
     */
    public RelayedAnswer relayResponse(byte[] body, String model) throws UpstreamException {
        try (UpstreamResponse response = http.post(responsesUri(), endpoints.headers(),
                ModelField.rewrite(body, model), false)) {
            byte[] answer = http.body(response);
            return new RelayedAnswer(answer, ResponsesAnswers.read(WireJson.parse(answer, "a response")));
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    /**
     * Starts a streamed answer to a client's Responses body sent as it is (but for its {@code model}); returns once
     * the first event that carries content has arrived.
     */
    public RelayStream relayResponseStream(byte[] body, String model) throws UpstreamException {
        UpstreamResponse response = http.post(responsesUri(), endpoints.headers(), ModelField.rewrite(body, model),
                true);
        return RelayStream.open(provider, http, response, new ResponsesEventTranslator());
    }

    private URI responsesUri() {
        return endpoints.responses().orElseThrow(() -> new IllegalStateException("provider " + provider
                + " does not serve the Responses API"));
    }

    @Override
    public List<String> models() {
        if (!configuredModels.isEmpty()) {
            return configuredModels;
        }
        ListedModels cached = listed.get();
        if (cached != null && ticker.nanos() - cached.expiresAt() < 0) {
            return cached.ids();
        }
        Optional<URI> uri = endpoints.models();
        if (uri.isEmpty()) {
            return List.of();
        }
        ListedModels fresh;
        try (UpstreamResponse response = http.get(uri.get(), endpoints.headers(), MODELS_TIMEOUT)) {
            fresh = new ListedModels(OpenAiResponses.modelIds(http.body(response)),
                    ticker.nanos() + MODELS_TTL.toNanos());
        } catch (UpstreamException | MalformedUpstreamException e) {
            LOGGER.log(Level.FINE, () -> "provider " + provider + " did not list its models: " + e.getMessage());
            fresh = new ListedModels(List.of(), ticker.nanos() + MODELS_RETRY.toNanos());
        }
        listed.set(fresh);
        return fresh.ids();
    }

    /** What the provider last listed, and until when that answer stands. */
    private record ListedModels(List<String> ids, long expiresAt) {
    }

    /** Reads {@code chat.completion.chunk} events until {@code [DONE]}. */
    private final class OpenAiChatStream implements ChatStream {
        private final UpstreamEvents events;
        private boolean done;

        OpenAiChatStream(UpstreamEvents events) {
            this.events = events;
        }

        @Override
        public Optional<ChatChunk> next() throws UpstreamException {
            if (done) {
                return Optional.empty();
            }
            SseReader.Event event = events.next();
            if (event == null) {
                // A stream that ends without [DONE] was cut off; passing it on as complete would hide truncation.
                throw UpstreamException.broken(provider, null);
            }
            if (event.dataIs("[DONE]")) {
                done = true;
                return Optional.empty();
            }
            try {
                return Optional.of(OpenAiResponses.chatChunk(event.data()));
            } catch (UpstreamErrorEvent e) {
                throw UpstreamException.reported(provider, Optional.of(e.error()));
            } catch (MalformedUpstreamException e) {
                throw UpstreamException.malformed(provider, e.getMessage());
            }
        }

        /**
         * After {@code [DONE]} only the end of the chunked body remains; reading it lets the connection go back to
         * the pool instead of being closed. A stream that ended any other way, cut off, failed or abandoned, closes
         * its connection, which aborts the call.
         */
        @Override
        public void close() {
            events.close(done, "[DONE]");
        }
    }

    /** The addresses and credentials of one OpenAI-family provider. */
    public interface OpenAiEndpoints {
        URI chat(String model);

        URI embeddings(String model);

        /** Where the provider lists its models, if it does. */
        Optional<URI> models();

        /** Where the provider serves OpenAI's Responses API, if it does. */
        Optional<URI> responses();

        /** Headers sent with every request, credentials among them (marked sensitive). */
        List<Header> headers();
    }
}
