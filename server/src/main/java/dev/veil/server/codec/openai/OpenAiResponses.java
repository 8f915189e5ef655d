package dev.veil.server.codec.openai;

import static dev.veil.server.codec.JsonFields.raw;
import static dev.veil.server.codec.JsonFields.unknown;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.codec.Json;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamError;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Delta;
import dev.veil.spi.Embedding;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;

/**
 * Reads what OpenAI-wire upstreams send back. Lenient where servers that merely claim compatibility differ in
 * harmless ways (missing ids, extra fields); strict only where the answer would be unusable.
 */
public final class OpenAiResponses {
    private static final Set<String> RESPONSE_FIELDS = Set.of("id", "object", "created", "model", "choices", "usage",
            "system_fingerprint");
    private static final Set<String> CHOICE_FIELDS = Set.of("index", "message", "finish_reason", "delta");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "tool_calls", "reasoning_content",
            "refusal", "name");
    private static final Set<String> USAGE_FIELDS = Set.of("prompt_tokens", "completion_tokens", "total_tokens",
            "prompt_tokens_details", "completion_tokens_details", "prompt_cache_hit_tokens",
            "prompt_cache_miss_tokens");
    private static final Set<String> EMBEDDINGS_FIELDS = Set.of("object", "data", "model", "usage");

    private OpenAiResponses() {
    }

    /** Reads a {@code chat.completion} object. */
    public static ChatResponse chatResponse(byte[] body) throws MalformedUpstreamException {
        JsonNode root = parse(body);
        JsonNode choicesNode = root.get("choices");
        if (choicesNode == null || !choicesNode.isArray()) {
            throw new MalformedUpstreamException("the answer has no 'choices' array");
        }
        List<Choice> choices = new ArrayList<>(choicesNode.size());
        for (JsonNode choice : choicesNode) {
            JsonNode message = choice.path("message");
            choices.add(new Choice(choice.path("index").asInt(choices.size()),
                    assistantMessage(message),
                    finishReason(choice.get("finish_reason")),
                    unknown(choice, CHOICE_FIELDS)));
        }
        return new ChatResponse(root.path("id").asText(""), root.path("created").asLong(0),
                root.path("model").asText(""), choices, usage(root.get("usage")),
                text(root.get("system_fingerprint")), unknown(root, RESPONSE_FIELDS));
    }

    /** Reads the data of one {@code chat.completion.chunk} event. */
    public static ChatChunk chatChunk(byte[] data) throws MalformedUpstreamException, UpstreamErrorEvent {
        try {
            Optional<ChatChunk> chunk = OpenAiChunkReader.read(data);
            if (chunk.isPresent()) {
                return chunk.get();
            }
        } catch (IOException e) {
            throw new MalformedUpstreamException("a stream event is not valid JSON");
        }
        return chatChunkFromTree(data);
    }

    /**
     * Reads a chunk event as a tree: the reading for error events and unusual shapes, and the reference
     * {@link OpenAiChunkReader} is checked against.
     */
    static ChatChunk chatChunkFromTree(byte[] data) throws MalformedUpstreamException, UpstreamErrorEvent {
        JsonNode root;
        try {
            root = Json.parseUpstream(data);
        } catch (IOException e) {
            throw new MalformedUpstreamException("a stream event is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedUpstreamException("a stream event is not a JSON object");
        }
        if (root.has("error") && !root.has("choices")) {
            throw new UpstreamErrorEvent(error(root).orElse(new UpstreamError("", Optional.empty(), Optional.empty(),
                    Optional.empty())));
        }
        JsonNode choicesNode = root.path("choices");
        List<ChunkChoice> choices = new ArrayList<>(choicesNode.size());
        for (JsonNode choice : choicesNode) {
            choices.add(new ChunkChoice(choice.path("index").asInt(0), delta(choice.path("delta")),
                    finishReason(choice.get("finish_reason")), unknown(choice, CHOICE_FIELDS)));
        }
        return new ChatChunk(root.path("id").asText(""), root.path("created").asLong(0),
                root.path("model").asText(""), choices, usage(root.get("usage")),
                text(root.get("system_fingerprint")), unknown(root, RESPONSE_FIELDS));
    }

    /** Reads an embeddings list object. */
    public static EmbeddingsResponse embeddings(byte[] body) throws MalformedUpstreamException {
        JsonNode root = parse(body);
        JsonNode data = root.get("data");
        if (data == null || !data.isArray()) {
            throw new MalformedUpstreamException("the answer has no 'data' array");
        }
        List<Embedding> embeddings = new ArrayList<>(data.size());
        for (JsonNode item : data) {
            embeddings.add(new Embedding(item.path("index").asInt(embeddings.size()), raw(item.get("embedding"))));
        }
        return new EmbeddingsResponse(root.path("model").asText(""), embeddings, usage(root.get("usage")),
                unknown(root, EMBEDDINGS_FIELDS));
    }

    /** Reads the ids of a models list ({@code {"object":"list","data":[{"id":...}]}}). */
    public static List<String> modelIds(byte[] body) throws MalformedUpstreamException {
        JsonNode data = parse(body).path("data");
        List<String> ids = new ArrayList<>(data.size());
        for (JsonNode item : data) {
            String id = item.path("id").asText("");
            if (!id.isEmpty()) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * Reads an error body in OpenAI's shape, or in the shapes compatible servers use instead ({@code {"error":
     * "text"}}, FastAPI's {@code {"detail": ...}}, a bare {@code {"message": ...}}).
     */
    public static Optional<UpstreamError> error(byte[] body) {
        JsonNode root;
        try {
            root = Json.parseUpstream(body);
        } catch (IOException e) {
            return Optional.empty();
        }
        return error(root);
    }

    /** Reads an error from an already parsed document, such as an error event inside a stream. */
    public static Optional<UpstreamError> error(JsonNode root) {
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        JsonNode error = root.get("error");
        if (error != null && error.isObject()) {
            return Optional.of(new UpstreamError(text(error.get("message")).orElse(""),
                    text(error.get("type")), scalar(error.get("code")), text(error.get("param"))));
        }
        if (error != null && error.isTextual()) {
            return Optional.of(new UpstreamError(error.textValue(), Optional.empty(), Optional.empty(),
                    Optional.empty()));
        }
        JsonNode message = root.has("detail") ? root.get("detail") : root.get("message");
        if (message != null && !message.isNull()) {
            return Optional.of(new UpstreamError(message.isTextual() ? message.textValue() : message.toString(),
                    Optional.empty(), Optional.empty(), Optional.empty()));
        }
        return Optional.empty();
    }

    private static JsonNode parse(byte[] body) throws MalformedUpstreamException {
        try {
            JsonNode root = Json.parseUpstream(body);
            if (root == null || !root.isObject()) {
                throw new MalformedUpstreamException("the answer is not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw new MalformedUpstreamException("the answer is not valid JSON");
        }
    }

    private static ChatMessage assistantMessage(JsonNode message) {
        JsonNode content = message.get("content");
        List<ContentPart> parts;
        if (content == null || content.isNull()) {
            parts = List.of();
        } else if (content.isTextual()) {
            parts = List.of(ContentPart.text(content.textValue()));
        } else if (content.isArray()) {
            parts = new ArrayList<>();
            for (JsonNode part : content) {
                if ("text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                    parts.add(ContentPart.text(part.get("text").textValue()));
                } else {
                    parts.add(new ContentPart.Other(part.path("type").asText(""), raw(part)));
                }
            }
        } else {
            parts = List.of(ContentPart.text(content.asText()));
        }
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            JsonNode arguments = function.get("arguments");
            calls.add(new ToolCall(call.path("id").asText(""), function.path("name").asText(""),
                    arguments == null || arguments.isNull() ? ""
                            : arguments.isTextual() ? arguments.textValue() : arguments.toString()));
        }
        Role role = Role.fromWireName(message.path("role").asText("assistant")).orElse(Role.ASSISTANT);
        return new ChatMessage(role, parts, text(message.get("name")), calls, Optional.empty(),
                text(message.get("reasoning_content")), text(message.get("refusal")),
                unknown(message, MESSAGE_FIELDS));
    }

    private static Delta delta(JsonNode delta) {
        if (delta.isMissingNode() || delta.isNull() || delta.isEmpty()) {
            return Delta.EMPTY;
        }
        List<ToolCallDelta> calls = new ArrayList<>();
        for (JsonNode call : delta.path("tool_calls")) {
            JsonNode function = call.path("function");
            calls.add(new ToolCallDelta(call.path("index").asInt(calls.size()), text(call.get("id")),
                    text(function.get("name")), text(function.get("arguments"))));
        }
        return new Delta(text(delta.get("role")).flatMap(Role::fromWireName), text(delta.get("content")),
                text(delta.get("reasoning_content")), text(delta.get("refusal")), calls,
                unknown(delta, MESSAGE_FIELDS));
    }

    private static Optional<FinishReason> finishReason(JsonNode node) {
        return node == null || !node.isTextual() ? Optional.empty()
                : Optional.of(FinishReason.fromWireName(node.textValue()));
    }

    static Optional<Usage> usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        long prompt = usage.path("prompt_tokens").asLong(0);
        long completion = usage.path("completion_tokens").asLong(0);
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        if (cached == 0) {
            // DeepSeek reports its context cache this way instead.
            cached = usage.path("prompt_cache_hit_tokens").asLong(0);
        }
        return Optional.of(new Usage(prompt, completion, usage.path("total_tokens").asLong(prompt + completion),
                cached, 0, usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0),
                unknown(usage, USAGE_FIELDS)));
    }

    private static Optional<String> text(JsonNode node) {
        return node == null || !node.isTextual() ? Optional.empty() : Optional.of(node.textValue());
    }

    private static Optional<String> scalar(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? Optional.empty()
                : Optional.of(node.asText());
    }
}
