package dev.veil.server.providers.gemini;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamError;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ProviderAdapter;
import dev.veil.server.core.UpstreamException;
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
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.Embedding;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import io.helidon.http.Header;

/**
 * Google's Gemini API ({@code kind: gemini}): {@code <base-url>/models/<model>:generateContent}, streamed with
 * {@code :streamGenerateContent?alt=sse}, embeddings with {@code :batchEmbedContents}; the key travels in the
 * {@code x-goog-api-key} header, never in the URL, so it cannot end up in an access log.
 */
public final class GeminiAdapter implements ProviderAdapter {
    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

    private final String provider;
    private final String base;
    private final List<Header> headers;
    private final UpstreamHttp http;
    private final List<String> models;
    private final InstantSource clock;

    private GeminiAdapter(String provider, String base, List<Header> headers, UpstreamHttp http, List<String> models,
                          InstantSource clock) {
        this.provider = provider;
        this.clock = clock;
        this.base = base;
        this.headers = headers;
        this.http = http;
        this.models = models;
    }

    /** The adapter for {@code config}, dating answers by {@code clock}. */
    public static GeminiAdapter create(ProviderConfig config, UpstreamClient client, UpstreamLimits limits,
                                       InstantSource clock) {
        Header key = ProviderSetup.credential("x-goog-api-key", ProviderSetup.apiKey(config, "GEMINI_API_KEY"));
        return new GeminiAdapter(config.name(), ProviderSetup.baseUrl(config, DEFAULT_BASE_URL),
                ProviderSetup.headers(config, key), new UpstreamHttp(client, config, limits), config.models(), clock);
    }

    private URI uri(String model, String operation) {
        String name = model.startsWith("models/") ? model.substring("models/".length()) : model;
        return URI.create(base + "/models/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
                + ":" + operation);
    }

    @Override
    public ChatResponse chat(ChatRequest request, String model) throws UpstreamException {
        byte[] body = WireJson.bytes(GeminiWire.request(request));
        try (UpstreamResponse response = http.post(uri(model, "generateContent"), headers, body, false)) {
            return GeminiWire.response(http.body(response), model, clock.instant().getEpochSecond());
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    @Override
    public ChatStream stream(ChatRequest request, String model) throws UpstreamException {
        byte[] body = WireJson.bytes(GeminiWire.request(request));
        UpstreamResponse response = http.post(uri(model, "streamGenerateContent?alt=sse"), headers, body, true);
        return new GeminiChatStream(UpstreamEvents.open(provider, http, response), model);
    }

    @Override
    public EmbeddingsResponse embeddings(EmbeddingsRequest request, String model) throws UpstreamException {
        if (!(request.input() instanceof EmbeddingInput.Texts texts)) {
            throw VeilException.invalidParam("input", "provider '" + provider + "' (gemini) embeds text only, "
                    + "not token ids");
        }
        String name = model.startsWith("models/") ? model : "models/" + model;
        ObjectNode body = WireJson.NODES.objectNode();
        ArrayNode requests = body.putArray("requests");
        for (String text : texts.texts()) {
            ObjectNode one = requests.addObject();
            one.put("model", name);
            one.putObject("content").putArray("parts").addObject().put("text", text);
            request.dimensions().ifPresent(d -> one.put("outputDimensionality", d));
        }
        boolean base64 = request.encodingFormat().filter("base64"::equals).isPresent();
        try (UpstreamResponse response = http.post(uri(model, "batchEmbedContents"), headers,
                WireJson.bytes(body), false)) {
            JsonNode answer = WireJson.parse(http.body(response), "the answer");
            List<Embedding> data = new ArrayList<>();
            JsonNode embeddings = answer.path("embeddings");
            for (int i = 0; i < embeddings.size(); i++) {
                JsonNode values = embeddings.get(i).path("values");
                if (!values.isArray()) {
                    throw UpstreamException.malformed(provider, "an embedding has no values");
                }
                data.add(new Embedding(i, base64 ? base64(values) : new RawJson(WireJson.text(values))));
            }
            if (data.size() != texts.size()) {
                throw UpstreamException.malformed(provider, "the answer does not hold one embedding per input");
            }
            return new EmbeddingsResponse(model, data, Optional.empty(), Extensions.NONE);
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    /** OpenAI's base64 form: little-endian 32-bit floats. */
    private static RawJson base64(JsonNode values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(value -> buffer.putFloat(value.floatValue()));
        return new RawJson("\"" + Base64.getEncoder().encodeToString(buffer.array()) + "\"");
    }

    @Override
    public List<String> models() {
        return models;
    }

    /**
     * Reads Gemini's stream: each event is a whole {@code GenerateContentResponse} holding the next parts. The body
     * simply ends after the last one, so a stream that ends before any finish reason was cut off.
     */
    private final class GeminiChatStream implements ChatStream {
        private final UpstreamEvents events;
        private final String requestedModel;
        private final long created = clock.instant().getEpochSecond();
        private String id = "";
        private String model;
        private boolean roleSent;
        private boolean finished;
        private boolean done;
        private int toolCalls;
        private Optional<Usage> usage = Optional.empty();

        GeminiChatStream(UpstreamEvents events, String requestedModel) {
            this.events = events;
            this.requestedModel = requestedModel;
            this.model = requestedModel;
        }

        @Override
        public Optional<ChatChunk> next() throws UpstreamException {
            while (!done) {
                SseReader.Event event = events.next();
                if (event == null) {
                    if (!finished) {
                        throw UpstreamException.broken(provider, null);
                    }
                    done = true;
                    return Optional.of(new ChatChunk(id, created, model, List.of(),
                            Optional.of(usage.orElse(Usage.of(0, 0))), Optional.empty(), Extensions.NONE));
                }
                JsonNode data;
                try {
                    data = WireJson.parse(event.data(), "a stream event");
                } catch (MalformedUpstreamException e) {
                    throw UpstreamException.malformed(provider, e.getMessage());
                }
                if (data.has("error")) {
                    JsonNode error = data.path("error");
                    throw UpstreamException.reported(provider, Optional.of(new UpstreamError(
                            error.path("message").asText(""), WireJson.string(error, "status"), Optional.empty(),
                            Optional.empty())));
                }
                Optional<ChatChunk> chunk = translate(data);
                if (chunk.isPresent()) {
                    return chunk;
                }
            }
            return Optional.empty();
        }

        private Optional<ChatChunk> translate(JsonNode data) {
            id = WireJson.string(data, "responseId").orElse(id.isEmpty() ? "gemini-" + Long.toHexString(created)
                    : id);
            model = WireJson.string(data, "modelVersion").orElse(model == null ? requestedModel : model);
            if (data.has("usageMetadata")) {
                usage = GeminiWire.usage(data.get("usageMetadata"));
            }
            JsonNode candidate = data.path("candidates").path(0);
            StringBuilder text = new StringBuilder();
            StringBuilder thoughts = new StringBuilder();
            List<ToolCallDelta> calls = new ArrayList<>();
            for (JsonNode part : candidate.path("content").path("parts")) {
                if (part.has("functionCall")) {
                    JsonNode call = part.get("functionCall");
                    int index = toolCalls++;
                    calls.add(new ToolCallDelta(index,
                            Optional.of(WireJson.string(call, "id").orElse(GeminiWire.callId(0, index))),
                            Optional.of(call.path("name").asText("")), Optional.of(WireJson.text(
                            call.path("args").isMissingNode() ? WireJson.NODES.objectNode() : call.path("args")))));
                } else if (part.path("thought").asBoolean(false)) {
                    thoughts.append(part.path("text").asText(""));
                } else if (part.has("text")) {
                    text.append(part.path("text").asText(""));
                }
            }
            Optional<FinishReason> finish = GeminiWire.finishReason(candidate.path("finishReason"), toolCalls > 0);
            if (data.path("candidates").isEmpty() && data.path("promptFeedback").has("blockReason")) {
                finish = Optional.of(FinishReason.CONTENT_FILTER);
            }
            finished |= finish.isPresent();
            boolean first = !roleSent;
            if (!first && text.isEmpty() && thoughts.isEmpty() && calls.isEmpty() && finish.isEmpty()) {
                return Optional.empty();
            }
            roleSent = true;
            Delta delta = new Delta(first ? Optional.of(Role.ASSISTANT) : Optional.empty(),
                    text.isEmpty() && !first ? Optional.empty() : Optional.of(text.toString()),
                    thoughts.isEmpty() ? Optional.empty() : Optional.of(thoughts.toString()), Optional.empty(), calls,
                    Extensions.NONE);
            return Optional.of(new ChatChunk(id, created, model,
                    List.of(new ChunkChoice(0, delta, finish, Extensions.NONE)), Optional.empty(), Optional.empty(),
                    Extensions.NONE));
        }

        /** A stream that ended without a finish reason, failed or was abandoned closes its connection. */
        @Override
        public void close() {
            events.close(done, "its last event");
        }
    }
}
