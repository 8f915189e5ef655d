package dev.veil.server.testing;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake Gemini API speaking the documented wire format: {@code POST /v1beta/models/<model>:generateContent}
 * answering a {@code GenerateContentResponse}, {@code :streamGenerateContent?alt=sse} answering one such response per
 * server-sent event (the body just ends after the last), {@code :batchEmbedContents}, and Google's error body
 * {@code {"error":{"code","message","status"}}}. Requests without {@code x-goog-api-key} get a 403, as do keys in
 * the URL, which Veil must never use.
 */
public final class FakeGeminiUpstream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int PROMPT_TOKENS = 12;
    public static final int CANDIDATE_TOKENS = 6;
    public static final int THOUGHT_TOKENS = 4;
    public static final int CACHED_TOKENS = 2;

    /** How to answer; {@code stream} says whether the streaming method was called. */
    @FunctionalInterface
    public interface Behavior {
        void respond(FakeHttpServer.Exchange exchange, JsonNode request, boolean stream) throws IOException;
    }

    private final FakeHttpServer server;
    private final Map<String, Behavior> behaviors = new ConcurrentHashMap<>();

    public FakeGeminiUpstream() throws IOException {
        server = new FakeHttpServer(this::handle);
    }

    /** The base URL to configure, ending in {@code /v1beta}. */
    public String baseUrl() {
        return server.origin() + "/v1beta";
    }

    public FakeGeminiUpstream on(String model, Behavior behavior) {
        behaviors.put(model, behavior);
        return this;
    }

    public FakeHttpServer.Received lastReceived() {
        return server.lastReceived();
    }

    public JsonNode lastBody() throws IOException {
        return JSON.readTree(server.lastReceived().body());
    }

    private void handle(FakeHttpServer.Exchange exchange) throws IOException {
        FakeHttpServer.Received received = exchange.request();
        String path = URLDecoder.decode(received.path(), StandardCharsets.UTF_8);
        if (received.header("x-goog-api-key") == null || received.query().contains("key=")) {
            error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers").respond(exchange, null, false);
            return;
        }
        int colon = path.lastIndexOf(':');
        if (!path.startsWith("/v1beta/models/") || colon < 0) {
            error(404, "NOT_FOUND", "Not found").respond(exchange, null, false);
            return;
        }
        String model = path.substring("/v1beta/models/".length(), colon);
        String method = path.substring(colon + 1);
        JsonNode request = JSON.readTree(received.body());
        switch (method) {
            case "generateContent" -> behaviors.getOrDefault(model, echo()).respond(exchange, request, false);
            case "streamGenerateContent" -> {
                if (!received.query().contains("alt=sse")) {
                    error(400, "INVALID_ARGUMENT", "this fake streams SSE only").respond(exchange, request, false);
                    return;
                }
                behaviors.getOrDefault(model, echo()).respond(exchange, request, true);
            }
            case "batchEmbedContents" -> embed(exchange, request);
            default -> error(404, "NOT_FOUND", "Not found").respond(exchange, request, false);
        }
    }

    private static void embed(FakeHttpServer.Exchange exchange, JsonNode request) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode embeddings = body.putArray("embeddings");
        for (JsonNode one : request.path("requests")) {
            int length = one.at("/content/parts/0/text").asText().length();
            embeddings.addObject().putArray("values").add(0.5).add(-0.25).add(length);
        }
        exchange.respond(200, "application/json", JSON.writeValueAsBytes(body), Map.of());
    }

    // Behaviours ------------------------------------------------------------------------------------------------

    /** Answers with the last user text, one word per event when streaming. */
    public static Behavior echo() {
        return (exchange, request, stream) -> {
            String text = "";
            for (JsonNode content : request.path("contents")) {
                if ("user".equals(content.path("role").asText())) {
                    for (JsonNode part : content.path("parts")) {
                        if (part.has("text")) {
                            text = part.get("text").asText();
                        }
                    }
                }
            }
            List<ObjectNode> events = FakeOpenAiUpstream.pieces(text).stream().map(FakeGeminiUpstream::text).toList();
            answer(events, "STOP").respond(exchange, request, stream);
        };
    }

    public static ObjectNode text(String text) {
        return JSON.createObjectNode().put("text", text);
    }

    public static ObjectNode thought(String text) {
        return JSON.createObjectNode().put("text", text).put("thought", true);
    }

    public static ObjectNode functionCall(String name, String argsJson) {
        ObjectNode part = JSON.createObjectNode();
        try {
            part.putObject("functionCall").put("name", name).set("args", JSON.readTree(argsJson));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
        return part;
    }

    /**
     * Answers with {@code parts}: all in one candidate, or streamed one part per event with the finish reason and
     * usage on the last.
     */
    public static Behavior answer(List<ObjectNode> parts, String finishReason) {
        return (exchange, request, stream) -> {
            if (!stream) {
                ObjectNode body = response(parts, finishReason, true);
                exchange.respond(200, "application/json", JSON.writeValueAsBytes(body), Map.of());
                return;
            }
            exchange.startChunked("text/event-stream");
            for (byte[] event : events(parts, finishReason)) {
                exchange.chunk(event);
            }
            exchange.endChunked();
        };
    }

    /**
     * Like {@link #answer}, but the body, JSON or events, ends when the server closes the connection: no
     * {@code Content-Length}, no chunking, as HTTP/1.1 allows and some front ends of Google's send.
     */
    public static Behavior answerUntilClose(List<ObjectNode> parts, String finishReason) {
        return (exchange, request, stream) -> {
            if (!stream) {
                exchange.startUntilClose("application/json");
                exchange.write(JSON.writeValueAsBytes(response(parts, finishReason, true)));
            } else {
                exchange.startUntilClose("text/event-stream");
                for (byte[] event : events(parts, finishReason)) {
                    exchange.write(event);
                }
            }
            exchange.close();
        };
    }

    /** One event per part, the finish reason and usage on the last. */
    private static List<byte[]> events(List<ObjectNode> parts, String finishReason) throws IOException {
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            boolean last = i == parts.size() - 1;
            ObjectNode event = response(List.of(parts.get(i)), last ? finishReason : null, last);
            events.add(("data: " + JSON.writeValueAsString(event) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    /** A prompt blocked outright: no candidates, a {@code promptFeedback.blockReason}. */
    public static Behavior promptBlocked() {
        return (exchange, request, stream) -> {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("promptFeedback").put("blockReason", "SAFETY");
            body.set("usageMetadata", usage());
            exchange.respond(200, "application/json", JSON.writeValueAsBytes(body), Map.of());
        };
    }

    /** Google's error body. */
    public static Behavior error(int status, String statusName, String message) {
        return (exchange, request, stream) -> {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("error").put("code", status).put("message", message).put("status", statusName);
            exchange.respond(status, "application/json", JSON.writeValueAsBytes(body),
                    status == 429 ? Map.of("Retry-After", "11") : Map.of());
        };
    }

    private static ObjectNode response(List<ObjectNode> parts, String finishReason, boolean withUsage) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode candidate = body.putArray("candidates").addObject();
        ObjectNode content = candidate.putObject("content");
        content.put("role", "model");
        ArrayNode out = content.putArray("parts");
        parts.forEach(out::add);
        if (finishReason != null) {
            candidate.put("finishReason", finishReason);
        }
        candidate.put("index", 0);
        if (withUsage) {
            body.set("usageMetadata", usage());
        }
        body.put("modelVersion", "gemini-2.5-flash-001");
        body.put("responseId", "resp_fake01");
        return body;
    }

    private static ObjectNode usage() {
        return JSON.createObjectNode().put("promptTokenCount", PROMPT_TOKENS)
                .put("candidatesTokenCount", CANDIDATE_TOKENS).put("thoughtsTokenCount", THOUGHT_TOKENS)
                .put("cachedContentTokenCount", CACHED_TOKENS)
                .put("totalTokenCount", PROMPT_TOKENS + CANDIDATE_TOKENS + THOUGHT_TOKENS);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
