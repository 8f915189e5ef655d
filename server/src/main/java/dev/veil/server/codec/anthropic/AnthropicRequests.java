package dev.veil.server.codec.anthropic;

import static dev.veil.server.codec.JsonFields.array;
import static dev.veil.server.codec.JsonFields.describe;
import static dev.veil.server.codec.JsonFields.object;
import static dev.veil.server.codec.JsonFields.optionalBoolean;
import static dev.veil.server.codec.JsonFields.optionalInt;
import static dev.veil.server.codec.JsonFields.optionalNumber;
import static dev.veil.server.codec.JsonFields.optionalString;
import static dev.veil.server.codec.JsonFields.raw;
import static dev.veil.server.codec.JsonFields.requiredString;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.Json;
import dev.veil.server.codec.ModelNames;
import dev.veil.server.codec.Untranslated;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.SamplingParameters;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.VeilException;

/**
 * Reads Anthropic Messages requests ({@code POST /v1/messages}) into the canonical model, so that they can be routed
 * to any provider.
 *
 * <p>The mapping is the Anthropic adapter's ({@code providers.anthropic.AnthropicWire}) in reverse, so that an
 * Anthropic target gets back what the client sent: {@code system} becomes a system message (one text part per
 * block, {@code cache_control} kept on each); {@code tool_result} blocks become tool messages placed before the rest
 * of their user turn; {@code tool_use} blocks become tool calls; {@code thinking} and {@code redacted_thinking}
 * blocks stay verbatim in the message field {@code thinking_blocks} (their text also as {@code reasoning_content});
 * images become image parts ({@code base64} sources as {@code data:} URLs); blocks Veil does not model
 * ({@code document}, {@code search_result}, ...) pass as they are. {@code thinking} and {@code top_k} become the
 * top-level extensions every adapter already reads under those names. Every other top-level field Veil does not know
 * ({@code service_tier}, {@code container}, {@code mcp_servers}, fields added tomorrow) is kept verbatim inside the
 * one extension {@link #PASSTHROUGH}, which the Anthropic adapter merges back into its request and which adapters of
 * other wire families never send. Fields of turns and blocks Veil does not model (a text block's {@code citations})
 * are dropped in translation and kept as {@link Untranslated}, for plugins to read what a relay would send.
 */
public final class AnthropicRequests {
    /**
     * The extension holding the request's unknown top-level fields as one JSON object. Extensions whose names start
     * with {@code x-veil-} are Veil's own and never reach an OpenAI-family provider.
     */
    public static final String PASSTHROUGH = "x-veil-anthropic";
    /** The message field holding thinking blocks verbatim; the Anthropic adapter reads it under this name. */
    public static final String THINKING_BLOCKS = "thinking_blocks";
    static final String CACHE_CONTROL = "cache_control";

    private static final Set<String> MAPPED_FIELDS = Set.of("model", "messages", "system", "max_tokens",
            "stop_sequences", "temperature", "top_p", "top_k", "stream", "tools", "tool_choice", "metadata",
            "thinking");
    private static final Set<String> TOOL_FIELDS = Set.of("type", "name", "description", "input_schema");
    /** What Veil reads of turns and blocks: the rest is {@link Untranslated}. */
    private static final Set<String> TURN_FIELDS = Set.of("role", "content");
    private static final Set<String> TOOL_CHOICE_FIELDS = Set.of("type", "name", "disable_parallel_tool_use");
    private static final Map<String, Set<String>> BLOCK_FIELDS = Map.of(
            "text", Set.of("type", "text", "cache_control"),
            "image", Set.of("type", "source", "cache_control"),
            "tool_use", Set.of("type", "id", "name", "input"),
            "tool_result", Set.of("type", "tool_use_id", "content", "is_error", "cache_control"));
    private static final Map<String, Set<String>> SOURCE_FIELDS = Map.of(
            "base64", Set.of("type", "media_type", "data"),
            "url", Set.of("type", "url"));

    private AnthropicRequests() {
    }

    /** Reads {@code POST /v1/messages}; every mistake is a 400 naming the field, never echoing its value. */
    public static ChatRequest messages(byte[] body) {
        return read(body, true);
    }

    /** Reads {@code POST /v1/messages/count_tokens}, which takes no {@code max_tokens}. */
    public static ChatRequest countTokens(byte[] body) {
        return read(body, false);
    }

    private static ChatRequest read(byte[] body, boolean needsMaxTokens) {
        ObjectNode root = object(Json.parseRequest(body), "body");
        String model = ModelNames.check(requiredString(root, "model", "model"), "model");
        OptionalInt maxTokens = optionalInt(root, "max_tokens", "max_tokens", 1);
        if (needsMaxTokens && maxTokens.isEmpty()) {
            throw VeilException.invalidParam("max_tokens", "'max_tokens' is required");
        }
        List<ChatMessage> messages = new ArrayList<>();
        system(root.get("system"), messages);
        List<JsonNode> turns = array(root, "messages", "messages", true);
        if (turns.isEmpty()) {
            throw VeilException.invalidParam("messages", "'messages' must hold at least one message");
        }
        for (int i = 0; i < turns.size(); i++) {
            turn(turns.get(i), "messages[" + i + "]", messages);
        }
        List<JsonNode> toolNodes = array(root, "tools", "tools", false);
        List<ToolDefinition> tools = new ArrayList<>(toolNodes.size());
        for (int i = 0; i < toolNodes.size(); i++) {
            tools.add(tool(toolNodes.get(i), "tools[" + i + "]"));
        }
        Optional<ToolChoice> toolChoice = Optional.empty();
        Optional<Boolean> parallel = Optional.empty();
        JsonNode choice = root.get("tool_choice");
        if (choice != null && !choice.isNull()) {
            ObjectNode choiceObject = object(choice, "tool_choice");
            String type = requiredString(choiceObject, "type", "tool_choice.type");
            toolChoice = Optional.of(switch (type) {
                case "auto" -> new ToolChoice.Mode("auto");
                case "any" -> new ToolChoice.Mode("required");
                case "none" -> new ToolChoice.Mode("none");
                case "tool" -> new ToolChoice.Function(requiredString(choiceObject, "name", "tool_choice.name"));
                default -> throw VeilException.invalidParam("tool_choice.type",
                        "'tool_choice.type' must be one of auto, any, tool, none");
            });
            Optional<Boolean> disable = optionalBoolean(choiceObject, "disable_parallel_tool_use",
                    "tool_choice.disable_parallel_tool_use");
            parallel = disable.filter(Boolean::booleanValue).map(d -> false);
        }
        List<String> stop = new ArrayList<>();
        List<JsonNode> stopNodes = array(root, "stop_sequences", "stop_sequences", false);
        for (int i = 0; i < stopNodes.size(); i++) {
            JsonNode node = stopNodes.get(i);
            if (!node.isTextual()) {
                throw VeilException.invalidParam("stop_sequences[" + i + "]", "'stop_sequences[" + i
                        + "]' must be a string, got " + describe(node));
            }
            stop.add(node.textValue());
        }
        SamplingParameters sampling = new SamplingParameters(
                optionalNumber(root, "temperature", "temperature", 0, 1),
                optionalNumber(root, "top_p", "top_p", 0, 1),
                OptionalInt.empty(), maxTokens, OptionalInt.empty(), OptionalDouble.empty(), OptionalDouble.empty());
        boolean stream = optionalBoolean(root, "stream", "stream").orElse(false);
        Optional<String> user = Optional.empty();
        JsonNode metadata = root.get("metadata");
        Map<String, JsonNode> unknown = new LinkedHashMap<>();
        if (metadata != null && !metadata.isNull()) {
            ObjectNode meta = object(metadata, "metadata");
            user = optionalString(meta, "user_id", "metadata.user_id");
            if (meta.size() > (meta.has("user_id") ? 1 : 0)) {
                // Fields Veil cannot express canonically stay with the rest of the passthrough; user_id is the
                // canonical user, which the Anthropic adapter writes back into the same object.
                ObjectNode rest = meta.deepCopy();
                rest.remove("user_id");
                unknown.put("metadata", rest);
            }
        }
        Map<String, RawJson> extensions = new LinkedHashMap<>();
        JsonNode thinking = root.get("thinking");
        if (thinking != null && !thinking.isNull()) {
            ObjectNode thinkingObject = object(thinking, "thinking");
            requiredString(thinkingObject, "type", "thinking.type");
            optionalInt(thinkingObject, "budget_tokens", "thinking.budget_tokens", 1);
            extensions.put("thinking", raw(thinkingObject));
        }
        JsonNode topK = root.get("top_k");
        if (topK != null && !topK.isNull()) {
            optionalInt(root, "top_k", "top_k", 0);
            extensions.put("top_k", raw(topK));
        }
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!MAPPED_FIELDS.contains(field.getKey())) {
                unknown.put(field.getKey(), field.getValue());
            }
        }
        if (!unknown.isEmpty()) {
            ObjectNode passthrough = JsonNodeFactory.instance.objectNode();
            passthrough.setAll(unknown);
            extensions.put(PASSTHROUGH, raw(passthrough));
        }
        ArrayNode untranslated = untranslated(root);
        if (!untranslated.isEmpty()) {
            extensions.put(Untranslated.EXTENSION, raw(untranslated));
        }
        return new ChatRequest(model, messages, tools, toolChoice, parallel, Optional.empty(), sampling, stop,
                OptionalLong.empty(), Optional.empty(), stream, Optional.empty(), user, Map.of(),
                Extensions.of(extensions));
    }

    private static void system(JsonNode system, List<ChatMessage> messages) {
        if (system == null || system.isNull()) {
            return;
        }
        if (system.isTextual()) {
            if (!system.textValue().isEmpty()) {
                messages.add(ChatMessage.text(Role.SYSTEM, system.textValue()));
            }
            return;
        }
        if (!system.isArray()) {
            throw VeilException.invalidParam("system", "'system' must be a string or an array of text blocks, got "
                    + describe(system));
        }
        List<ContentPart> parts = new ArrayList<>();
        for (int i = 0; i < system.size(); i++) {
            String path = "system[" + i + "]";
            ObjectNode block = object(system.get(i), path);
            if (!"text".equals(requiredString(block, "type", path + ".type"))) {
                throw VeilException.invalidParam(path + ".type", "'" + path + ".type' must be 'text'");
            }
            parts.add(text(block, path));
        }
        if (!parts.isEmpty()) {
            messages.add(new ChatMessage(Role.SYSTEM, parts, Optional.empty(), List.of(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Extensions.NONE));
        }
    }

    /** One Anthropic turn: a user turn may become tool messages followed by a user message. */
    private static void turn(JsonNode node, String path, List<ChatMessage> messages) {
        ObjectNode turn = object(node, path);
        String role = requiredString(turn, "role", path + ".role");
        if (!role.equals("user") && !role.equals("assistant")) {
            throw VeilException.invalidParam(path + ".role", "'" + path + ".role' must be 'user' or 'assistant'");
        }
        JsonNode content = turn.get(CONTENT);
        if (content == null || content.isNull()) {
            throw VeilException.invalidParam(path + ".content", "'" + path + ".content' is required");
        }
        if (content.isTextual()) {
            messages.add(ChatMessage.text(role.equals("user") ? Role.USER : Role.ASSISTANT, content.textValue()));
            return;
        }
        if (!content.isArray()) {
            throw VeilException.invalidParam(path + ".content", "'" + path + ".content' must be a string or an "
                    + "array of content blocks, got " + describe(content));
        }
        if (role.equals("assistant")) {
            messages.add(assistant(content, path + ".content"));
            return;
        }
        List<ContentPart> parts = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            String blockPath = path + ".content[" + i + "]";
            ObjectNode block = object(content.get(i), blockPath);
            String type = requiredString(block, "type", blockPath + ".type");
            if (type.equals("tool_result")) {
                messages.add(toolResult(block, blockPath));
            } else {
                parts.add(part(block, type, blockPath));
            }
        }
        if (!parts.isEmpty() || content.isEmpty()) {
            messages.add(new ChatMessage(Role.USER, parts, Optional.empty(), List.of(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Extensions.NONE));
        }
    }

    private static final String CONTENT = "content";

    private static ChatMessage assistant(JsonNode content, String path) {
        List<ContentPart> parts = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        ArrayNode thinkingBlocks = JsonNodeFactory.instance.arrayNode();
        StringBuilder reasoning = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            String blockPath = path + "[" + i + "]";
            ObjectNode block = object(content.get(i), blockPath);
            String type = requiredString(block, "type", blockPath + ".type");
            switch (type) {
                case "tool_use" -> {
                    String id = requiredString(block, "id", blockPath + ".id");
                    String name = requiredString(block, "name", blockPath + ".name");
                    JsonNode input = block.get("input");
                    if (input == null || !input.isObject()) {
                        throw VeilException.invalidParam(blockPath + ".input", "'" + blockPath
                                + ".input' must be an object, got " + describe(input));
                    }
                    calls.add(new ToolCall(id, name, input.toString()));
                }
                case "thinking" -> {
                    reasoning.append(requiredString(block, "thinking", blockPath + ".thinking"));
                    thinkingBlocks.add(block);
                }
                case "redacted_thinking" -> {
                    requiredString(block, "data", blockPath + ".data");
                    thinkingBlocks.add(block);
                }
                default -> parts.add(part(block, type, blockPath));
            }
        }
        Extensions extensions = thinkingBlocks.isEmpty() ? Extensions.NONE
                : Extensions.of(Map.of(THINKING_BLOCKS, raw(thinkingBlocks)));
        return new ChatMessage(Role.ASSISTANT, parts, Optional.empty(), calls, Optional.empty(),
                reasoning.isEmpty() ? Optional.empty() : Optional.of(reasoning.toString()), Optional.empty(),
                extensions);
    }

    private static ChatMessage toolResult(ObjectNode block, String path) {
        String id = requiredString(block, "tool_use_id", path + ".tool_use_id");
        JsonNode content = block.get(CONTENT);
        List<ContentPart> parts = new ArrayList<>();
        if (content == null || content.isNull()) {
            parts.add(ContentPart.text(""));
        } else if (content.isTextual()) {
            parts.add(ContentPart.text(content.textValue()));
        } else if (content.isArray()) {
            for (int i = 0; i < content.size(); i++) {
                String partPath = path + ".content[" + i + "]";
                ObjectNode part = object(content.get(i), partPath);
                parts.add(part(part, requiredString(part, "type", partPath + ".type"), partPath));
            }
        } else {
            throw VeilException.invalidParam(path + ".content", "'" + path + ".content' must be a string or an "
                    + "array of content blocks, got " + describe(content));
        }
        optionalBoolean(block, "is_error", path + ".is_error");
        Extensions extensions = block.has(CACHE_CONTROL)
                ? Extensions.of(Map.of(CACHE_CONTROL, raw(block.get(CACHE_CONTROL)))) : Extensions.NONE;
        return new ChatMessage(Role.TOOL, parts, Optional.empty(), List.of(), Optional.of(id), Optional.empty(),
                Optional.empty(), extensions);
    }

    private static ContentPart part(ObjectNode block, String type, String path) {
        return switch (type) {
            case "text" -> text(block, path);
            case "image" -> image(block, path);
            default -> new ContentPart.Other(type, raw(block));
        };
    }

    private static ContentPart.Text text(ObjectNode block, String path) {
        String text = requiredString(block, "text", path + ".text");
        return new ContentPart.Text(text, cacheControl(block));
    }

    private static ContentPart image(ObjectNode block, String path) {
        ObjectNode source = object(block.get("source"), path + ".source");
        String type = requiredString(source, "type", path + ".source.type");
        return switch (type) {
            case "base64" -> {
                String mediaType = requiredString(source, "media_type", path + ".source.media_type");
                String data = requiredString(source, "data", path + ".source.data");
                yield new ContentPart.Image("data:" + mediaType + ";base64," + data, Optional.empty(),
                        cacheControl(block));
            }
            case "url" -> new ContentPart.Image(requiredString(source, "url", path + ".source.url"),
                    Optional.empty(), cacheControl(block));
            // Files API references and whatever comes next: verbatim, for Anthropic targets.
            default -> new ContentPart.Other("image", raw(block));
        };
    }

    private static ToolDefinition tool(JsonNode node, String path) {
        ObjectNode tool = object(node, path);
        Optional<String> type = optionalString(tool, "type", path + ".type");
        if (type.isPresent() && !type.get().equals("custom")) {
            // Anthropic's server tools (web_search_..., bash_..., text_editor_...): as they arrived.
            Map<String, RawJson> fields = new LinkedHashMap<>();
            tool.properties().forEach(field -> {
                if (!field.getKey().equals("type")) {
                    fields.put(field.getKey(), raw(field.getValue()));
                }
            });
            return new ToolDefinition(type.get(), optionalString(tool, "name", path + ".name").orElse(""),
                    Optional.empty(), Optional.empty(), Optional.empty(), Extensions.of(fields));
        }
        String name = requiredString(tool, "name", path + ".name");
        Optional<String> description = optionalString(tool, "description", path + ".description");
        JsonNode schema = tool.get("input_schema");
        if (schema == null || !schema.isObject()) {
            throw VeilException.invalidParam(path + ".input_schema", "'" + path + ".input_schema' must be an "
                    + "object, got " + describe(schema));
        }
        Map<String, RawJson> extensions = new LinkedHashMap<>();
        tool.properties().forEach(field -> {
            if (!TOOL_FIELDS.contains(field.getKey())) {
                extensions.put(field.getKey(), raw(field.getValue()));
            }
        });
        return new ToolDefinition("function", name, description, Optional.of(raw(schema)), Optional.empty(),
                Extensions.of(extensions));
    }

    /** The fields of turns and blocks that have no canonical home, such as a text block's citations. */
    private static ArrayNode untranslated(ObjectNode root) {
        ArrayNode into = Untranslated.collector();
        JsonNode system = root.get("system");
        if (system != null && system.isArray()) {
            system.forEach(block -> untranslatedBlock(block, into));
        }
        for (JsonNode turn : root.path("messages")) {
            Untranslated.leftovers(turn, TURN_FIELDS, into);
            JsonNode content = turn.path(CONTENT);
            if (content.isArray()) {
                content.forEach(block -> untranslatedBlock(block, into));
            }
        }
        JsonNode choice = root.get("tool_choice");
        if (choice != null && choice.isObject()) {
            Untranslated.leftovers(choice, TOOL_CHOICE_FIELDS, into);
        }
        return into;
    }

    private static void untranslatedBlock(JsonNode block, ArrayNode into) {
        String type = block.path("type").asText();
        Set<String> read = BLOCK_FIELDS.get(type);
        if (read == null) {
            // Kept whole: thinking blocks verbatim, blocks Veil does not model as parts of their own.
            return;
        }
        Untranslated.leftovers(block, read, into);
        switch (type) {
            case "image" -> {
                JsonNode source = block.path("source");
                Set<String> sourceRead = SOURCE_FIELDS.get(source.path("type").asText());
                if (sourceRead != null) {
                    Untranslated.leftovers(source, sourceRead, into);
                }
            }
            case "tool_result" -> {
                JsonNode content = block.path(CONTENT);
                if (content.isArray()) {
                    content.forEach(part -> untranslatedBlock(part, into));
                }
            }
            default -> {
            }
        }
    }

    private static Extensions cacheControl(ObjectNode block) {
        JsonNode marker = block.get(CACHE_CONTROL);
        return marker == null || marker.isNull() ? Extensions.NONE
                : Extensions.of(Map.of(CACHE_CONTROL, raw(marker)));
    }
}
