package dev.veil.server.testing;

import java.io.IOException;
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
 * A fake Anthropic Messages API ({@code POST /v1/messages}) speaking the documented wire format: {@code message}
 * JSON, the streaming events ({@code message_start}, {@code content_block_start}/{@code _delta}/{@code _stop} with
 * {@code text_delta}, {@code input_json_delta}, {@code thinking_delta} and {@code signature_delta},
 * {@code message_delta}, {@code message_stop}, {@code ping}, {@code error}) as named server-sent events, and
 * Anthropic's error bodies {@code {"type":"error","error":{"type","message"}}}.
 *
 * <p>Like the real API it rejects requests without {@code x-api-key}, {@code anthropic-version} or
 * {@code max_tokens}, and conversations whose roles do not alternate. Answers are chosen by the requested model
 * ({@link #on}); other models get the last user text back.
 */
public final class FakeAnthropicUpstream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The usage every answer reports: cache reads and writes are counted apart from input_tokens, as Anthropic does. */
    public static final int INPUT_TOKENS = 11;
    public static final int OUTPUT_TOKENS = 7;
    public static final int CACHE_READ_TOKENS = 3;
    public static final int CACHE_CREATION_TOKENS = 5;
    /** What {@code POST /v1/messages/count_tokens} answers, for any request. */
    public static final int COUNTED_TOKENS = 1234;

    /** One content block of a scripted answer; streamed in {@code pieces}. */
    public record Block(String type, List<String> pieces, String id, String name, String signature) {
        public static Block text(String... pieces) {
            return new Block("text", List.of(pieces), null, null, null);
        }

        public static Block thinking(String signature, String... pieces) {
            return new Block("thinking", List.of(pieces), null, null, signature);
        }

        /** A tool call whose input JSON is streamed in {@code fragments}. */
        public static Block toolUse(String id, String name, String... fragments) {
            return new Block("tool_use", List.of(fragments), id, name, null);
        }

        String whole() {
            return String.join("", pieces);
        }
    }

    /** How to answer one request. */
    @FunctionalInterface
    public interface Behavior {
        void respond(FakeHttpServer.Exchange exchange, JsonNode request) throws IOException;
    }

    private final FakeHttpServer server;
    private final Map<String, Behavior> behaviors = new ConcurrentHashMap<>();

    public FakeAnthropicUpstream() throws IOException {
        server = new FakeHttpServer(this::handle);
    }

    /** The base URL to configure (the adapter appends {@code /v1/messages}). */
    public String baseUrl() {
        return server.origin();
    }

    public FakeAnthropicUpstream on(String model, Behavior behavior) {
        behaviors.put(model, behavior);
        return this;
    }

    public FakeHttpServer.Received lastReceived() {
        return server.lastReceived();
    }

    public JsonNode lastBody() throws IOException {
        return JSON.readTree(server.lastReceived().body());
    }

    public int requests() {
        return server.received().size();
    }

    public int connections() {
        return server.connections();
    }

    private void handle(FakeHttpServer.Exchange exchange) throws IOException {
        FakeHttpServer.Received received = exchange.request();
        boolean count = received.path().equals("/v1/messages/count_tokens");
        if (!received.method().equals("POST") || !(count || received.path().equals("/v1/messages"))) {
            error(404, "not_found_error", "Not found").respond(exchange, null);
            return;
        }
        if (received.header("x-api-key") == null) {
            error(401, "authentication_error", "x-api-key header is required").respond(exchange, null);
            return;
        }
        if (received.header("anthropic-version") == null) {
            error(400, "invalid_request_error", "anthropic-version: header is required").respond(exchange, null);
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(received.body());
        } catch (IOException e) {
            error(400, "invalid_request_error", "There was an issue with your request JSON").respond(exchange, null);
            return;
        }
        if (count) {
            exchange.respond(200, "application/json", utf8("{\"input_tokens\":" + COUNTED_TOKENS + "}"),
                    Map.of());
            return;
        }
        String problem = invalid(request);
        if (problem != null) {
            error(400, "invalid_request_error", problem).respond(exchange, request);
            return;
        }
        behaviors.getOrDefault(request.path("model").asText(), echo()).respond(exchange, request);
    }

    /** The checks of the real API that translation mistakes would trip. */
    private static String invalid(JsonNode request) {
        if (!request.path("max_tokens").isInt()) {
            return "max_tokens: Field required";
        }
        JsonNode messages = request.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return "messages: Field required";
        }
        String previous = null;
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).path("role").asText();
            if (!role.equals("user") && !role.equals("assistant")) {
                return "messages." + i + ".role: Input should be 'user' or 'assistant'";
            }
            if (role.equals(previous)) {
                return "messages: roles must alternate between \"user\" and \"assistant\"";
            }
            previous = role;
            for (JsonNode block : messages.get(i).path("content")) {
                if (block.path("type").asText().equals("text") && block.path("text").asText().isEmpty()) {
                    return "messages: text content blocks must be non-empty";
                }
            }
        }
        return null;
    }

    // Behaviours ------------------------------------------------------------------------------------------------

    /** Answers with the last user text, streamed word by word when asked. */
    public static Behavior echo() {
        return (exchange, request) -> answer(List.of(Block.text(
                FakeOpenAiUpstream.pieces(lastUserText(request)).toArray(String[]::new))), "end_turn")
                .respond(exchange, request);
    }

    /** Answers with these blocks and stop reason, as a message or as a stream of events. */
    public static Behavior answer(List<Block> blocks, String stopReason) {
        return (exchange, request) -> {
            if (request.path("stream").asBoolean(false)) {
                stream(exchange, request, blocks, stopReason, null);
            } else {
                exchange.respond(200, "application/json", JSON.writeValueAsBytes(message(request, blocks,
                        stopReason)), Map.of("request-id", "req_fake"));
            }
        };
    }

    /** Answers with exactly these bytes as a JSON message, whatever was asked. */
    public static Behavior verbatim(String body) {
        return (exchange, request) -> exchange.respond(200, "application/json", utf8(body), Map.of());
    }

    /** Streams exactly these frames, one chunk each, whatever was asked. */
    public static Behavior verbatimEvents(List<String> frames) {
        return (exchange, request) -> {
            exchange.startChunked("text/event-stream; charset=utf-8");
            for (String frame : frames) {
                exchange.chunk(utf8(frame));
            }
            exchange.endChunked();
        };
    }

    /** An Anthropic error body; a 429 carries {@code retry-after}. */
    public static Behavior error(int status, String type, String message) {
        return (exchange, request) -> {
            ObjectNode body = JSON.createObjectNode();
            body.put("type", "error");
            body.putObject("error").put("type", type).put("message", message);
            exchange.respond(status, "application/json", JSON.writeValueAsBytes(body),
                    status == 429 ? Map.of("retry-after", "9") : Map.of());
        };
    }

    /** Streams {@code before}, then an {@code error} event, as Anthropic does when it is overloaded mid-answer. */
    public static Behavior errorMidStream(List<Block> before, String type, String message) {
        return (exchange, request) -> {
            ObjectNode error = JSON.createObjectNode();
            error.put("type", "error");
            error.putObject("error").put("type", type).put("message", message);
            stream(exchange, request, before, null, JSON.writeValueAsString(error));
        };
    }

    /** Streams {@code before} and ends the body without {@code message_stop}. */
    public static Behavior truncated(List<Block> before) {
        return (exchange, request) -> stream(exchange, request, before, null, "");
    }

    // Wire ------------------------------------------------------------------------------------------------------

    private static ObjectNode message(JsonNode request, List<Block> blocks, String stopReason) throws IOException {
        ObjectNode message = JSON.createObjectNode();
        message.put("id", "msg_fake01");
        message.put("type", "message");
        message.put("role", "assistant");
        ArrayNode content = message.putArray("content");
        for (Block block : blocks) {
            ObjectNode out = content.addObject().put("type", block.type());
            switch (block.type()) {
                case "text" -> out.put("text", block.whole());
                case "thinking" -> out.put("thinking", block.whole()).put("signature", block.signature());
                default -> out.put("id", block.id()).put("name", block.name())
                        .set("input", JSON.readTree(block.whole()));
            }
        }
        message.put("model", request.path("model").asText() + "-20250101");
        message.put("stop_reason", stopReason);
        message.putNull("stop_sequence");
        message.set("usage", usage(OUTPUT_TOKENS));
        return message;
    }

    private static ObjectNode usage(int output) {
        ObjectNode usage = JSON.createObjectNode();
        usage.put("input_tokens", INPUT_TOKENS);
        usage.put("cache_creation_input_tokens", CACHE_CREATION_TOKENS);
        usage.put("cache_read_input_tokens", CACHE_READ_TOKENS);
        usage.put("output_tokens", output);
        return usage;
    }

    /**
     * The documented event sequence. With {@code stopReason} null the stream does not finish: it ends with
     * {@code errorEvent} as an {@code error} event, or, when that is empty, just stops.
     */
    private static void stream(FakeHttpServer.Exchange exchange, JsonNode request, List<Block> blocks,
                               String stopReason, String errorEvent) throws IOException {
        exchange.startChunked("text/event-stream; charset=utf-8");
        ObjectNode start = JSON.createObjectNode().put("type", "message_start");
        ObjectNode message = start.putObject("message");
        message.put("id", "msg_fake01").put("type", "message").put("role", "assistant");
        message.putArray("content");
        message.put("model", request.path("model").asText() + "-20250101");
        message.putNull("stop_reason").putNull("stop_sequence");
        message.set("usage", usage(1));
        send(exchange, start);
        send(exchange, JSON.createObjectNode().put("type", "ping"));
        for (int index = 0; index < blocks.size(); index++) {
            Block block = blocks.get(index);
            ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", index);
            ObjectNode contentBlock = blockStart.putObject("content_block").put("type", block.type());
            switch (block.type()) {
                case "text" -> contentBlock.put("text", "");
                case "thinking" -> contentBlock.put("thinking", "");
                default -> contentBlock.put("id", block.id()).put("name", block.name()).putObject("input");
            }
            send(exchange, blockStart);
            for (String piece : block.pieces()) {
                ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
                switch (block.type()) {
                    case "text" -> delta.putObject("delta").put("type", "text_delta").put("text", piece);
                    case "thinking" -> delta.putObject("delta").put("type", "thinking_delta").put("thinking", piece);
                    default -> delta.putObject("delta").put("type", "input_json_delta").put("partial_json", piece);
                }
                send(exchange, delta);
            }
            if (block.signature() != null) {
                ObjectNode signature = JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
                signature.putObject("delta").put("type", "signature_delta").put("signature", block.signature());
                send(exchange, signature);
            }
            send(exchange, JSON.createObjectNode().put("type", "content_block_stop").put("index", index));
        }
        if (stopReason == null) {
            if (!errorEvent.isEmpty()) {
                exchange.event("error", errorEvent);
            }
            exchange.endChunked();
            return;
        }
        ObjectNode delta = JSON.createObjectNode().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        delta.putObject("usage").put("output_tokens", OUTPUT_TOKENS);
        send(exchange, delta);
        send(exchange, JSON.createObjectNode().put("type", "message_stop"));
        exchange.endChunked();
    }

    private static void send(FakeHttpServer.Exchange exchange, ObjectNode event) throws IOException {
        exchange.event(event.path("type").asText(), JSON.writeValueAsString(event));
    }

    private static String lastUserText(JsonNode request) {
        String text = "";
        for (JsonNode message : request.path("messages")) {
            if ("user".equals(message.path("role").asText())) {
                JsonNode content = message.path("content");
                if (content.isTextual()) {
                    text = content.textValue();
                } else {
                    List<String> texts = new ArrayList<>();
                    content.forEach(block -> {
                        if ("text".equals(block.path("type").asText())) {
                            texts.add(block.path("text").asText());
                        }
                    });
                    if (!texts.isEmpty()) {
                        text = texts.get(texts.size() - 1);
                    }
                }
            }
        }
        return text;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** The raw bytes of a body, for tests that need them. */
    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
