package dev.veil.server.providers.openai;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

import dev.veil.server.providers.ChatStream;
import dev.veil.server.providers.ProviderAdapter;
import dev.veil.server.providers.SseReader;
import dev.veil.server.providers.UpstreamException;
import dev.veil.server.providers.UpstreamHttp;
import dev.veil.server.wire.MalformedUpstreamException;
import dev.veil.server.wire.OpenAiDialect;
import dev.veil.server.wire.OpenAiResponses;
import dev.veil.server.wire.OpenAiWriter;
import dev.veil.server.wire.UpstreamErrorEvent;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import io.helidon.http.Header;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * The OpenAI wire family: OpenAI itself, Azure OpenAI and every OpenAI-compatible server. What differs between them
 * (addresses, authentication, dialect) lives in {@link OpenAiEndpoints} and {@link OpenAiDialect}.
 */
public final class OpenAiAdapter implements ProviderAdapter {
    private final String provider;
    private final OpenAiEndpoints endpoints;
    private final OpenAiDialect dialect;
    private final UpstreamHttp http;
    private final List<String> models;

    public OpenAiAdapter(String provider, OpenAiEndpoints endpoints, OpenAiDialect dialect, UpstreamHttp http,
                         List<String> models) {
        this.provider = provider;
        this.endpoints = endpoints;
        this.dialect = dialect;
        this.http = http;
        this.models = List.copyOf(models);
    }

    @Override
    public ChatResponse chat(ChatRequest request, String model) throws UpstreamException {
        byte[] body = OpenAiWriter.chatRequest(request, model, dialect);
        try (HttpClientResponse response = http.post(endpoints.chat(model), endpoints.headers(), body, false)) {
            return OpenAiResponses.chatResponse(http.body(response));
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    @Override
    public ChatStream stream(ChatRequest request, String model) throws UpstreamException {
        byte[] body = OpenAiWriter.chatRequest(request, model, dialect);
        HttpClientResponse response = http.post(endpoints.chat(model), endpoints.headers(), body, true);
        try {
            return new OpenAiChatStream(response);
        } catch (RuntimeException e) {
            response.close();
            throw http.classify(e);
        }
    }

    @Override
    public EmbeddingsResponse embeddings(EmbeddingsRequest request, String model) throws UpstreamException {
        byte[] body = OpenAiWriter.embeddingsRequest(request, model, dialect);
        try (HttpClientResponse response = http.post(endpoints.embeddings(model), endpoints.headers(), body,
                false)) {
            return OpenAiResponses.embeddings(http.body(response));
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    @Override
    public List<String> models() {
        return models;
    }

    /** Reads {@code chat.completion.chunk} events until {@code [DONE]}. */
    private final class OpenAiChatStream implements ChatStream {
        private final HttpClientResponse response;
        private final SseReader events;
        private boolean done;

        OpenAiChatStream(HttpClientResponse response) {
            this.response = response;
            this.events = new SseReader(response.inputStream());
        }

        @Override
        public Optional<ChatChunk> next() throws UpstreamException {
            if (done) {
                return Optional.empty();
            }
            SseReader.Event event;
            try {
                event = events.next();
            } catch (IOException | RuntimeException e) {
                throw http.classify(e);
            }
            if (event == null) {
                // A stream that ends without [DONE] was cut off; passing it on as complete would hide truncation.
                throw UpstreamException.broken(provider, null);
            }
            String data = event.data();
            if (data.equals("[DONE]")) {
                done = true;
                return Optional.empty();
            }
            try {
                return Optional.of(OpenAiResponses.chatChunk(data));
            } catch (UpstreamErrorEvent e) {
                throw UpstreamException.reported(provider, Optional.of(e.error()));
            } catch (MalformedUpstreamException e) {
                throw UpstreamException.malformed(provider, e.getMessage());
            }
        }

        @Override
        public void close() {
            response.close();
        }
    }

    /** The addresses and credentials of one OpenAI-family provider. */
    public interface OpenAiEndpoints {
        URI chat(String model);

        URI embeddings(String model);

        /** Headers sent with every request, credentials among them (marked sensitive). */
        List<Header> headers();
    }
}
