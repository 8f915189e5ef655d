package dev.veil.server.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.providers.bedrock.EventStreamDecoder;
import dev.veil.server.providers.bedrock.SigV4;

/**
 * A fake Amazon Bedrock runtime speaking the documented Converse wire format: {@code POST /model/{modelId}/converse}
 * answers {@code {"output":{"message":...},"stopReason","usage","metrics"}}, and {@code /converse-stream} answers
 * {@code application/vnd.amazon.eventstream}: real binary event-stream frames ({@code messageStart},
 * {@code contentBlockStart}/{@code Delta}/{@code Stop}, {@code messageStop}, {@code metadata}, and exception
 * messages), each frame split across two HTTP chunks so that readers must reassemble them. Errors are
 * {@code {"message": ...}} with an {@code x-amzn-ErrorType} header.
 *
 * <p>Like the real service it verifies every request's Signature Version 4: it recomputes the signature from what
 * arrived (method, path as sent, signed headers, body) with the credentials it was given and rejects a mismatch, an
 * unknown key, a wrong region or service, a stale date or a missing session token with 403. It also rejects what
 * Converse's validation rejects and translation mistakes would trip: roles that do not alternate, blank text, content
 * blocks with other than one member, unknown image formats, tool blocks without a {@code toolConfig}.
 */
public final class FakeBedrockUpstream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int INPUT_TOKENS = 13;
    public static final int OUTPUT_TOKENS = 8;
    public static final int CACHE_READ_TOKENS = 4;
    public static final int CACHE_WRITE_TOKENS = 2;
    public static final String REQUEST_ID = "9f1c2a3b-0000-4000-8000-00000000beef";
    private static final Pattern PATH = Pattern.compile("/model/([^/]+)/(converse|converse-stream)");
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), "
                    + "Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Set<String> BLOCK_MEMBERS = Set.of("text", "image", "document", "video", "toolUse",
            "toolResult", "guardContent", "cachePoint", "reasoningContent", "citationsContent");
    private static final Set<String> IMAGE_FORMATS = Set.of("png", "jpeg", "gif", "webp");

    /** One content block of a scripted answer; streamed in {@code pieces}. */
    public record Block(String type, List<String> pieces, String id, String name, String signature) {
        public static Block text(String... pieces) {
            return new Block("text", List.of(pieces), null, null, null);
        }

        /** Reasoning text ({@code reasoningContent}), with the signature Claude gives it. */
        public static Block reasoning(String signature, String... pieces) {
            return new Block("reasoning", List.of(pieces), null, null, signature);
        }

        /** A tool call whose input JSON is streamed in {@code fragments}. */
        public static Block toolUse(String id, String name, String... fragments) {
            return new Block("toolUse", List.of(fragments), id, name, null);
        }

        String whole() {
            return String.join("", pieces);
        }
    }

    /** How to answer one request. */
    @FunctionalInterface
    public interface Behavior {
        void respond(FakeHttpServer.Exchange exchange, JsonNode request, boolean stream) throws IOException;
    }

    private final String accessKeyId;
    private final String secretAccessKey;
    private final String region;
    private final String sessionToken;
    private final FakeHttpServer server;
    private final Map<String, Behavior> behaviors = new ConcurrentHashMap<>();

    /** A fake for these credentials; {@code sessionToken} may be null (long-term credentials). */
    public FakeBedrockUpstream(String region, String accessKeyId, String secretAccessKey, String sessionToken)
            throws IOException {
        this.region = region;
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.sessionToken = sessionToken;
        this.server = new FakeHttpServer(this::handle);
    }

    /** The base URL to configure (the adapter appends {@code /model/<id>/converse}). */
    public String baseUrl() {
        return server.origin();
    }

    public FakeBedrockUpstream on(String model, Behavior behavior) {
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
        Matcher path = PATH.matcher(received.path());
        if (!received.method().equals("POST") || !path.matches()) {
            error(404, "UnknownOperationException", "Unknown operation").respond(exchange, null, false);
            return;
        }
        String denied = verifySignature(received);
        if (denied != null) {
            int colon = denied.indexOf(':');
            error(403, denied.substring(0, colon), denied.substring(colon + 1)).respond(exchange, null, false);
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(received.body());
        } catch (IOException e) {
            error(400, "SerializationException", "Unable to parse request body").respond(exchange, null, false);
            return;
        }
        String problem = invalid(request);
        if (problem != null) {
            error(400, "ValidationException", problem).respond(exchange, request, false);
            return;
        }
        String model = URLDecoder.decode(path.group(1), StandardCharsets.UTF_8);
        boolean stream = path.group(2).equals("converse-stream");
        behaviors.getOrDefault(model, echo()).respond(exchange, request, stream);
    }

    /**
     * Null when the request carries a valid signature for these credentials, else {@code ErrorType:message}. The
     * signature is recomputed from the request as it arrived: its raw path, the headers it says it signed, its body.
     */
    private String verifySignature(FakeHttpServer.Received received) {
        String authorization = received.header("authorization");
        if (authorization == null) {
            return "MissingAuthenticationTokenException:Missing Authentication Token";
        }
        Matcher auth = AUTHORIZATION.matcher(authorization);
        if (!auth.matches()) {
            return "IncompleteSignatureException:Authorization header requires 'Credential', 'Signature' and "
                    + "'SignedHeaders' parameters";
        }
        if (!auth.group(1).equals(accessKeyId)) {
            return "UnrecognizedClientException:The security token included in the request is invalid.";
        }
        if (!auth.group(3).equals(region) || !auth.group(4).equals("bedrock")) {
            return "InvalidSignatureException:Credential should be scoped to a valid region and service 'bedrock'";
        }
        String amzDate = received.header("x-amz-date");
        ZonedDateTime at;
        try {
            at = LocalDateTime.parse(amzDate == null ? "" : amzDate, AMZ_DATE).atZone(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return "IncompleteSignatureException:Authorization header requires existence of either a 'X-Amz-Date' "
                    + "or a 'Date' header.";
        }
        if (Duration.between(at, ZonedDateTime.now(ZoneOffset.UTC)).abs().toMinutes() > 5) {
            return "InvalidSignatureException:Signature expired: " + amzDate + " is now earlier than the allowed time";
        }
        List<String> signedNames = List.of(auth.group(5).split(";"));
        if (!signedNames.contains("host") || !signedNames.contains("x-amz-date")) {
            return "InvalidSignatureException:'Host' and 'X-Amz-Date' must be signed";
        }
        if (sessionToken != null && (!sessionToken.equals(received.header("x-amz-security-token"))
                || !signedNames.contains("x-amz-security-token"))) {
            return "UnrecognizedClientException:The security token included in the request is invalid.";
        }
        Map<String, String> others = new LinkedHashMap<>();
        for (String name : signedNames) {
            if (!name.equals("host") && !name.equals("x-amz-date")) {
                String value = received.header(name);
                if (value == null) {
                    return "InvalidSignatureException:signed header '" + name + "' is missing";
                }
                others.put(name, value);
            }
        }
        String host = received.header("host");
        URI uri = URI.create("http://" + host + received.target());
        String expected = new SigV4(accessKeyId, secretAccessKey, region, "bedrock")
                .sign(received.method(), uri, others, received.body(), at).get("Authorization");
        if (!expected.equals(authorization)) {
            // The real message goes on to quote the canonical request and string to sign.
            return "InvalidSignatureException:The request signature we calculated does not match the signature you "
                    + "provided. Check your AWS Secret Access Key and signing method. Consult the service "
                    + "documentation for details.\n\nThe Canonical String for this request should have been\n'POST\n"
                    + received.path() + "\n\nhost:" + host + "\nx-amz-date:" + amzDate + "\n'\n\nThe String-to-Sign "
                    + "should have been\n'AWS4-HMAC-SHA256\n" + amzDate + "\n" + auth.group(2) + "/" + region
                    + "/bedrock/aws4_request'\n (credential " + accessKeyId + ")";
        }
        return null;
    }

    /** The checks of Converse's validation that translation mistakes would trip. */
    private static String invalid(JsonNode request) {
        JsonNode messages = request.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return "A conversation must start with a user message. Try again with a conversation that starts "
                    + "with a user message.";
        }
        boolean toolBlocks = false;
        String previous = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").asText();
            if (!role.equals("user") && !role.equals("assistant")) {
                return "1 validation error detected: Value '" + role + "' at 'messages." + (i + 1)
                        + ".member.role' failed to satisfy constraint: Member must satisfy enum value set: "
                        + "[user, assistant]";
            }
            if (i == 0 && !role.equals("user")) {
                return "A conversation must start with a user message. Try again with a conversation that starts "
                        + "with a user message.";
            }
            if (role.equals(previous)) {
                return "A conversation must alternate between user and assistant roles. Make sure the conversation "
                        + "alternates between user and assistant roles and try again.";
            }
            previous = role;
            JsonNode content = message.path("content");
            if (!content.isArray() || content.isEmpty()) {
                return "The content field in the Message object at messages." + i + " is empty. Add a ContentBlock "
                        + "object to the content field and try again.";
            }
            for (int j = 0; j < content.size(); j++) {
                JsonNode block = content.get(j);
                String problem = invalidBlock(block, "messages." + i + ".content." + j);
                if (problem != null) {
                    return problem;
                }
                toolBlocks |= block.has("toolUse") || block.has("toolResult");
            }
        }
        for (JsonNode block : request.path("system")) {
            if (block.has("text") && block.path("text").asText().isBlank()) {
                return "The text field in the SystemContentBlock object is blank. Add text to the text field, and "
                        + "try again.";
            }
        }
        if (toolBlocks && !request.has("toolConfig")) {
            return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
        }
        for (JsonNode tool : request.path("toolConfig").path("tools")) {
            if (!tool.has("cachePoint") && !tool.path("toolSpec").path("inputSchema").path("json").isObject()) {
                return "The json field in the ToolInputSchema object is missing.";
            }
        }
        JsonNode maxTokens = request.path("inferenceConfig").path("maxTokens");
        if (!maxTokens.isMissingNode() && (!maxTokens.isInt() || maxTokens.intValue() < 1)) {
            return "1 validation error detected: Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: "
                    + "Member must have value greater than or equal to 1";
        }
        return null;
    }

    private static String invalidBlock(JsonNode block, String where) {
        if (!block.isObject() || block.size() != 1 || !BLOCK_MEMBERS.contains(block.fieldNames().next())) {
            return "The ContentBlock object at " + where + " must set exactly one of its members.";
        }
        if (block.has("text") && block.path("text").asText().isBlank()) {
            return "The text field in the ContentBlock object at " + where + " is blank. Add text to the text "
                    + "field, and try again.";
        }
        if (block.has("image")) {
            JsonNode image = block.get("image");
            if (!IMAGE_FORMATS.contains(image.path("format").asText())
                    || !image.path("source").path("bytes").isTextual()) {
                return "The image in the ContentBlock object at " + where + " is invalid.";
            }
        }
        if (block.has("toolUse") && (!block.path("toolUse").path("input").isObject()
                || !block.path("toolUse").path("toolUseId").isTextual())) {
            return "The toolUse in the ContentBlock object at " + where + " is invalid.";
        }
        return null;
    }

    // Behaviours ------------------------------------------------------------------------------------------------

    /** Answers with the last user text, streamed word by word when asked. */
    public static Behavior echo() {
        return (exchange, request, stream) -> answer(List.of(Block.text(
                FakeOpenAiUpstream.pieces(lastUserText(request)).toArray(String[]::new))), "end_turn")
                .respond(exchange, request, stream);
    }

    /** Answers with these blocks and stop reason, as a Converse answer or as a ConverseStream. */
    public static Behavior answer(List<Block> blocks, String stopReason) {
        return (exchange, request, stream) -> {
            if (stream) {
                stream(exchange, blocks, stopReason, null, null);
            } else {
                exchange.respond(200, "application/json", JSON.writeValueAsBytes(converse(blocks, stopReason)),
                        Map.of("x-amzn-RequestId", REQUEST_ID));
            }
        };
    }

    /** An error as Bedrock sends it: {@code {"message"}} with the type in {@code x-amzn-ErrorType}. */
    public static Behavior error(int status, String type, String message) {
        return (exchange, request, stream) -> exchange.respond(status, "application/json",
                JSON.writeValueAsBytes(JSON.createObjectNode().put("message", message)),
                Map.of("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/",
                        "x-amzn-RequestId", REQUEST_ID));
    }

    /** Streams {@code before}, then an exception message such as {@code modelStreamErrorException}. */
    public static Behavior exceptionMidStream(List<Block> before, String exceptionType, String message) {
        return (exchange, request, stream) -> stream(exchange, before, null, exceptionType, message);
    }

    /** Starts a 200 stream whose first and only message is an exception, as a throttled stream may. */
    public static Behavior exceptionFirst(String exceptionType, String message) {
        return (exchange, request, stream) -> {
            exchange.startChunked("application/vnd.amazon.eventstream");
            frame(exchange, exceptionFrame(exceptionType, message));
            exchange.endChunked();
        };
    }

    /** Streams {@code before} and ends the body without {@code messageStop}. */
    public static Behavior truncated(List<Block> before) {
        return (exchange, request, stream) -> stream(exchange, before, null, null, null);
    }

    // Wire ------------------------------------------------------------------------------------------------------

    private static ObjectNode converse(List<Block> blocks, String stopReason) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode message = body.putObject("output").putObject("message");
        message.put("role", "assistant");
        ArrayNode content = message.putArray("content");
        for (Block block : blocks) {
            switch (block.type()) {
                case "text" -> content.addObject().put("text", block.whole());
                case "reasoning" -> content.addObject().putObject("reasoningContent").putObject("reasoningText")
                        .put("text", block.whole()).put("signature", block.signature());
                default -> content.addObject().putObject("toolUse").put("toolUseId", block.id())
                        .put("name", block.name()).set("input", JSON.readTree(block.whole()));
            }
        }
        body.put("stopReason", stopReason);
        body.set("usage", usage());
        body.putObject("metrics").put("latencyMs", 321);
        return body;
    }

    private static ObjectNode usage() {
        ObjectNode usage = JSON.createObjectNode();
        usage.put("inputTokens", INPUT_TOKENS);
        usage.put("outputTokens", OUTPUT_TOKENS);
        usage.put("totalTokens", INPUT_TOKENS + OUTPUT_TOKENS + CACHE_READ_TOKENS + CACHE_WRITE_TOKENS);
        usage.put("cacheReadInputTokens", CACHE_READ_TOKENS);
        usage.put("cacheWriteInputTokens", CACHE_WRITE_TOKENS);
        return usage;
    }

    /**
     * The documented event sequence. With {@code stopReason} null the stream does not finish: it ends with an
     * exception message of {@code exceptionType}, or, when that is null, just stops.
     */
    private static void stream(FakeHttpServer.Exchange exchange, List<Block> blocks, String stopReason,
                               String exceptionType, String exceptionMessage) throws IOException {
        exchange.startChunked("application/vnd.amazon.eventstream");
        event(exchange, "messageStart", JSON.createObjectNode().put("role", "assistant"));
        for (int index = 0; index < blocks.size(); index++) {
            Block block = blocks.get(index);
            if (block.type().equals("toolUse")) {
                ObjectNode start = JSON.createObjectNode().put("contentBlockIndex", index);
                start.putObject("start").putObject("toolUse").put("toolUseId", block.id()).put("name", block.name());
                event(exchange, "contentBlockStart", start);
            }
            for (String piece : block.pieces()) {
                ObjectNode delta = JSON.createObjectNode().put("contentBlockIndex", index);
                switch (block.type()) {
                    case "text" -> delta.putObject("delta").put("text", piece);
                    case "reasoning" -> delta.putObject("delta").putObject("reasoningContent").put("text", piece);
                    default -> delta.putObject("delta").putObject("toolUse").put("input", piece);
                }
                event(exchange, "contentBlockDelta", delta);
            }
            if (block.signature() != null) {
                ObjectNode delta = JSON.createObjectNode().put("contentBlockIndex", index);
                delta.putObject("delta").putObject("reasoningContent").put("signature", block.signature());
                event(exchange, "contentBlockDelta", delta);
            }
            event(exchange, "contentBlockStop", JSON.createObjectNode().put("contentBlockIndex", index));
        }
        if (stopReason == null) {
            if (exceptionType != null) {
                frame(exchange, exceptionFrame(exceptionType, exceptionMessage));
            }
            exchange.endChunked();
            return;
        }
        event(exchange, "messageStop", JSON.createObjectNode().put("stopReason", stopReason));
        ObjectNode metadata = JSON.createObjectNode();
        metadata.set("usage", usage());
        metadata.putObject("metrics").put("latencyMs", 321);
        event(exchange, "metadata", metadata);
        exchange.endChunked();
    }

    /** One event message; like Bedrock, with a {@code p} padding field that readers must ignore. */
    private static void event(FakeHttpServer.Exchange exchange, String type, ObjectNode payload) throws IOException {
        payload.put("p", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ".substring(0, 1 + type.length()));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":event-type", type);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "event");
        frame(exchange, EventStreamDecoder.encode(headers, JSON.writeValueAsBytes(payload)));
    }

    private static byte[] exceptionFrame(String type, String message) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":exception-type", type);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "exception");
        return EventStreamDecoder.encode(headers,
                JSON.writeValueAsBytes(JSON.createObjectNode().put("message", message)));
    }

    /** A frame in two HTTP chunks, split mid-prelude, as networks deliver them. */
    private static void frame(FakeHttpServer.Exchange exchange, byte[] frame) throws IOException {
        int split = Math.min(7, frame.length);
        exchange.chunk(java.util.Arrays.copyOfRange(frame, 0, split));
        exchange.chunk(java.util.Arrays.copyOfRange(frame, split, frame.length));
    }

    private static String lastUserText(JsonNode request) {
        String text = "";
        for (JsonNode message : request.path("messages")) {
            if ("user".equals(message.path("role").asText())) {
                List<String> texts = new ArrayList<>();
                message.path("content").forEach(block -> {
                    if (block.has("text")) {
                        texts.add(block.path("text").asText());
                    }
                });
                if (!texts.isEmpty()) {
                    text = texts.get(texts.size() - 1);
                }
            }
        }
        return text;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
