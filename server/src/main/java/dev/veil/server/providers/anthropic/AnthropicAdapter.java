package dev.veil.server.providers.anthropic;

import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.ModelField;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.server.codec.anthropic.AnthropicWire;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ProviderAdapter;
import dev.veil.server.core.RelayedAnswer;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.http.RelayStream;
import dev.veil.server.http.SseReader;
import dev.veil.server.http.UpstreamClient;
import dev.veil.server.http.UpstreamEvents;
import dev.veil.server.http.UpstreamHttp;
import dev.veil.server.http.UpstreamLimits;
import dev.veil.server.http.UpstreamResponse;
import dev.veil.server.providers.setup.ProviderSetup;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;

/**
 * Anthropic's Messages API ({@code kind: anthropic}): {@code <base-url>/v1/messages}, authenticated with
 * {@code x-api-key}, versioned with {@code anthropic-version}, betas enabled with {@code anthropic-beta}.
 */
public final class AnthropicAdapter implements ProviderAdapter {
    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    /** The API version Veil's translation is written against. */
    public static final String DEFAULT_VERSION = "2023-06-01";

    private static final HeaderName VERSION = HeaderNames.create("anthropic-version");
    private static final HeaderName BETA = HeaderNames.create("anthropic-beta");

    private final String provider;
    private final URI messages;
    private final URI countTokens;
    private final List<Header> headers;
    private final UpstreamHttp http;
    private final List<String> models;
    private final InstantSource clock;

    private AnthropicAdapter(String provider, URI messages, List<Header> headers, UpstreamHttp http,
                             List<String> models, InstantSource clock) {
        this.provider = provider;
        this.clock = clock;
        this.messages = messages;
        this.countTokens = URI.create(messages + "/count_tokens");
        this.headers = headers;
        this.http = http;
        this.models = models;
    }

    /**
     * The adapter for {@code config}, dating answers by {@code clock}; a missing key stops startup with a
     * {@link ConfigException}.
     */
    public static AnthropicAdapter create(ProviderConfig config, UpstreamClient client, UpstreamLimits limits,
                                          InstantSource clock) {
        Header key = ProviderSetup.credential("x-api-key", ProviderSetup.apiKey(config, "ANTHROPIC_API_KEY"));
        String base = ProviderSetup.baseUrl(config, DEFAULT_BASE_URL);
        Header version = HeaderValues.createCached("anthropic-version",
                config.anthropicVersion().orElse(DEFAULT_VERSION));
        List<Header> headers = config.anthropicBeta().filter(beta -> !beta.isBlank())
                .map(beta -> ProviderSetup.headers(config, version, HeaderValues.createCached("anthropic-beta", beta),
                        key))
                .orElseGet(() -> ProviderSetup.headers(config, version, key));
        return new AnthropicAdapter(config.name(), URI.create(base + "/v1/messages"), headers,
                new UpstreamHttp(client, config, limits), config.models(), clock);
    }

    @Override
    public ChatResponse chat(ChatRequest request, String model) throws UpstreamException {
        byte[] body = WireJson.bytes(AnthropicWire.request(request, model, false));
        try (UpstreamResponse response = http.post(messages, headers, body, false)) {
            return AnthropicWire.response(http.body(response), clock.instant().getEpochSecond());
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    @Override
    public ChatStream stream(ChatRequest request, String model) throws UpstreamException {
        byte[] body = WireJson.bytes(AnthropicWire.request(request, model, true));
        UpstreamResponse response = http.post(messages, headers, body, true);
        return new AnthropicChatStream(UpstreamEvents.open(provider, http, response));
    }

    /**
     * The Anthropic headers of the client whose body a passthrough forwards: the body was written against them.
     *
     * @param version the client's {@code anthropic-version}, which replaces the configured one
     * @param beta the client's {@code anthropic-beta}, sent after the configured betas
     */
    public record ClientHeaders(Optional<String> version, Optional<String> beta) {
        public static final ClientHeaders NONE = new ClientHeaders(Optional.empty(), Optional.empty());
    }

    /**
     * Sends a client's Messages body as it is, but for its {@code model} (set to {@code model}), and returns the
     * answer's bytes with a canonical reading of them.
     */
    public RelayedAnswer relay(byte[] body, String model, ClientHeaders client) throws UpstreamException {
        try (UpstreamResponse response = http.post(messages, headers(client), ModelField.rewrite(body, model),
                false)) {
            byte[] answer = http.body(response);
            return new RelayedAnswer(answer, AnthropicWire.response(answer, clock.instant().getEpochSecond()));
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    /**
     * Starts a streamed answer to a client's Messages body sent as it is (but for its {@code model}); returns once
     * the first event that carries content has arrived.
     */
    public RelayStream relayStream(byte[] body, String model, ClientHeaders client) throws UpstreamException {
        UpstreamResponse response = http.post(messages, headers(client), ModelField.rewrite(body, model), true);
        return RelayStream.open(provider, http, response,
                new AnthropicStreamTranslator(clock.instant().getEpochSecond()));
    }

    /** Asks Anthropic's own {@code count_tokens} about a client's body (its {@code model} set); returns its bytes. */
    public byte[] countTokens(byte[] body, String model, ClientHeaders client) throws UpstreamException {
        try (UpstreamResponse response = http.post(countTokens, headers(client), ModelField.rewrite(body, model),
                false)) {
            return http.body(response);
        }
    }

    private List<Header> headers(ClientHeaders client) {
        if (client.version().isEmpty() && client.beta().isEmpty()) {
            return headers;
        }
        List<Header> merged = new ArrayList<>(headers.size() + 1);
        Optional<String> beta = client.beta();
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(VERSION.defaultCase()) && client.version().isPresent()) {
                merged.add(HeaderValues.create(VERSION, client.version().get()));
            } else if (header.name().equalsIgnoreCase(BETA.defaultCase()) && beta.isPresent()) {
                merged.add(HeaderValues.create(BETA, header.get() + "," + beta.get()));
                beta = Optional.empty();
            } else {
                merged.add(header);
            }
        }
        beta.ifPresent(value -> merged.add(HeaderValues.create(BETA, value)));
        return merged;
    }

    @Override
    public EmbeddingsResponse embeddings(EmbeddingsRequest request, String model) {
        throw new VeilException(ErrorKind.INVALID_REQUEST, "provider '" + provider + "' (anthropic) does not offer "
                + "embeddings; use an embeddings model of another provider").withCode("embeddings_not_supported");
    }

    @Override
    public List<String> models() {
        return models;
    }

    /** Reads Anthropic's events until {@code message_stop}. */
    private final class AnthropicChatStream implements ChatStream {
        private final UpstreamEvents events;
        private final AnthropicStreamTranslator translator =
                new AnthropicStreamTranslator(clock.instant().getEpochSecond());

        AnthropicChatStream(UpstreamEvents events) {
            this.events = events;
        }

        @Override
        public Optional<ChatChunk> next() throws UpstreamException {
            while (!translator.ended()) {
                SseReader.Event event = events.next();
                if (event == null) {
                    // A stream that ends before message_stop was cut off.
                    throw UpstreamException.broken(provider, null);
                }
                try {
                    Optional<ChatChunk> chunk = translator.translate(event);
                    if (chunk.isPresent()) {
                        return chunk;
                    }
                } catch (UpstreamErrorEvent e) {
                    throw UpstreamException.reported(provider, Optional.of(e.error()));
                } catch (MalformedUpstreamException e) {
                    throw UpstreamException.malformed(provider, e.getMessage());
                }
            }
            return Optional.empty();
        }

        /**
         * After {@code message_stop} only the end of the body remains; reading it keeps the connection pooled. A
         * stream that ended any other way, cut off, failed or abandoned, closes its connection.
         */
        @Override
        public void close() {
            events.close(translator.ended(), "message_stop");
        }
    }
}
