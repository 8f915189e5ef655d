package dev.veil.server.codec.openai;

import static dev.veil.server.codec.JsonFields.array;
import static dev.veil.server.codec.JsonFields.describe;
import static dev.veil.server.codec.JsonFields.object;
import static dev.veil.server.codec.JsonFields.optionalBoolean;
import static dev.veil.server.codec.JsonFields.optionalInt;
import static dev.veil.server.codec.JsonFields.optionalLong;
import static dev.veil.server.codec.JsonFields.optionalNumber;
import static dev.veil.server.codec.JsonFields.optionalString;
import static dev.veil.server.codec.JsonFields.raw;
import static dev.veil.server.codec.JsonFields.requiredString;
import static dev.veil.server.codec.JsonFields.unknown;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.Json;
import dev.veil.server.codec.JsonFields;
import dev.veil.server.codec.ModelNames;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ContentPart;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.ResponseFormat;
import dev.veil.spi.Role;
import dev.veil.spi.SamplingParameters;
import dev.veil.spi.StreamOptions;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.VeilException;

/** Reads OpenAI-wire client requests into the canonical model, validating as strictly as OpenAI does. */
public final class OpenAiRequests {
    private static final Set<String> CHAT_FIELDS = Set.of("model", "messages", "tools", "tool_choice",
            "parallel_tool_calls", "response_format", "temperature", "top_p", "max_tokens", "max_completion_tokens",
            "n", "presence_penalty", "frequency_penalty", "stop", "seed", "reasoning_effort", "stream",
            "stream_options", "user", "metadata");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name", "tool_calls",
            "tool_call_id", "reasoning_content", "refusal");
    private static final Set<String> TEXT_PART_FIELDS = Set.of("type", "text");
    private static final Set<String> IMAGE_PART_FIELDS = Set.of("type", "image_url");
    private static final Set<String> FUNCTION_FIELDS = Set.of("name", "description", "parameters", "strict");
    private static final Set<String> STREAM_OPTION_FIELDS = Set.of("include_usage");
    private static final Set<String> EMBEDDING_FIELDS = Set.of("model", "input", "encoding_format", "dimensions",
            "user");

    private OpenAiRequests() {
    }

    /** Reads {@code POST /v1/chat/completions}. */
    public static ChatRequest chat(byte[] body) {
        ObjectNode root = object(Json.parseRequest(body), "body");
        String model = model(root);
        List<JsonNode> messageNodes = array(root, "messages", "messages", true);
        if (messageNodes.isEmpty()) {
            throw VeilException.invalidParam("messages", "'messages' must hold at least one message");
        }
        List<ChatMessage> messages = new ArrayList<>(messageNodes.size());
        for (int i = 0; i < messageNodes.size(); i++) {
            messages.add(message(messageNodes.get(i), "messages[" + i + "]"));
        }
        List<JsonNode> toolNodes = array(root, "tools", "tools", false);
        List<ToolDefinition> tools = new ArrayList<>(toolNodes.size());
        for (int i = 0; i < toolNodes.size(); i++) {
            tools.add(tool(toolNodes.get(i), "tools[" + i + "]"));
        }
        SamplingParameters sampling = new SamplingParameters(
                optionalNumber(root, "temperature", "temperature", 0, 2),
                optionalNumber(root, "top_p", "top_p", 0, 1),
                optionalInt(root, "max_tokens", "max_tokens", 1),
                optionalInt(root, "max_completion_tokens", "max_completion_tokens", 1),
                optionalInt(root, "n", "n", 1),
                optionalNumber(root, "presence_penalty", "presence_penalty", -2, 2),
                optionalNumber(root, "frequency_penalty", "frequency_penalty", -2, 2));
        boolean stream = optionalBoolean(root, "stream", "stream").orElse(false);
        Optional<StreamOptions> streamOptions = streamOptions(root.get("stream_options"));
        if (streamOptions.isPresent() && !stream) {
            throw VeilException.invalidParam("stream_options", "'stream_options' is only allowed when 'stream' is "
                    + "true");
        }
        return new ChatRequest(model, messages, tools,
                toolChoice(root.get("tool_choice")),
                optionalBoolean(root, "parallel_tool_calls", "parallel_tool_calls"),
                responseFormat(root.get("response_format")),
                sampling,
                stop(root.get("stop")),
                optionalLong(root, "seed", "seed"),
                optionalString(root, "reasoning_effort", "reasoning_effort"),
                stream,
                streamOptions,
                optionalString(root, "user", "user"),
                JsonFields.stringMap(root, "metadata", "metadata"),
                unknown(root, CHAT_FIELDS));
    }

    /** Reads {@code POST /v1/embeddings}. */
    public static EmbeddingsRequest embeddings(byte[] body) {
        ObjectNode root = object(Json.parseRequest(body), "body");
        String model = model(root);
        JsonNode input = root.get("input");
        Optional<String> encodingFormat = optionalString(root, "encoding_format", "encoding_format");
        if (encodingFormat.isPresent() && !Set.of("float", "base64").contains(encodingFormat.get())) {
            throw VeilException.invalidParam("encoding_format", "'encoding_format' must be 'float' or 'base64'");
        }
        return new EmbeddingsRequest(model, embeddingInput(input), encodingFormat,
                optionalInt(root, "dimensions", "dimensions", 1),
                optionalString(root, "user", "user"),
                unknown(root, EMBEDDING_FIELDS));
    }

    private static String model(ObjectNode root) {
        return ModelNames.check(requiredString(root, "model", "model"), "model");
    }

    private static ChatMessage message(JsonNode node, String path) {
        ObjectNode message = object(node, path);
        String roleName = requiredString(message, "role", path + ".role");
        Role role = Role.fromWireName(roleName).orElseThrow(() -> VeilException.invalidParam(path + ".role",
                "'" + path + ".role' must be one of system, developer, user, assistant, tool, function"));
        List<ToolCall> toolCalls = toolCalls(message, path);
        JsonNode contentNode = message.get("content");
        List<ContentPart> content;
        if (contentNode == null || contentNode.isNull()) {
            if (role != Role.ASSISTANT) {
                throw VeilException.invalidParam(path + ".content", "'" + path + ".content' is required");
            }
            content = List.of();
        } else if (contentNode.isTextual()) {
            content = List.of(ContentPart.text(contentNode.textValue()));
        } else if (contentNode.isArray()) {
            content = new ArrayList<>(contentNode.size());
            for (int i = 0; i < contentNode.size(); i++) {
                content.add(contentPart(contentNode.get(i), path + ".content[" + i + "]"));
            }
        } else {
            throw VeilException.invalidParam(path + ".content", "'" + path + ".content' must be a string or an array "
                    + "of content parts, got " + describe(contentNode));
        }
        Optional<String> toolCallId = optionalString(message, "tool_call_id", path + ".tool_call_id");
        if (role == Role.TOOL && toolCallId.isEmpty()) {
            throw VeilException.invalidParam(path + ".tool_call_id", "'" + path + ".tool_call_id' is required for "
                    + "tool messages");
        }
        return new ChatMessage(role, content,
                optionalString(message, "name", path + ".name"),
                toolCalls,
                toolCallId,
                optionalString(message, "reasoning_content", path + ".reasoning_content"),
                optionalString(message, "refusal", path + ".refusal"),
                unknown(message, MESSAGE_FIELDS));
    }

    private static ContentPart contentPart(JsonNode node, String path) {
        ObjectNode part = object(node, path);
        String type = requiredString(part, "type", path + ".type");
        return switch (type) {
            case "text" -> new ContentPart.Text(requiredString(part, "text", path + ".text"),
                    unknown(part, TEXT_PART_FIELDS));
            case "image_url" -> {
                JsonNode imageNode = part.get("image_url");
                if (imageNode == null || imageNode.isNull()) {
                    throw VeilException.invalidParam(path + ".image_url", "'" + path + ".image_url' is required");
                }
                ObjectNode image = object(imageNode, path + ".image_url");
                yield new ContentPart.Image(requiredString(image, "url", path + ".image_url.url"),
                        optionalString(image, "detail", path + ".image_url.detail"),
                        unknown(part, IMAGE_PART_FIELDS));
            }
            default -> new ContentPart.Other(type, raw(part));
        };
    }

    private static List<ToolCall> toolCalls(ObjectNode message, String path) {
        List<JsonNode> nodes = array(message, "tool_calls", path + ".tool_calls", false);
        List<ToolCall> calls = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String callPath = path + ".tool_calls[" + i + "]";
            ObjectNode call = object(nodes.get(i), callPath);
            JsonNode functionNode = call.get("function");
            if (functionNode == null || functionNode.isNull()) {
                throw VeilException.invalidParam(callPath + ".function", "'" + callPath + ".function' is required");
            }
            ObjectNode function = object(functionNode, callPath + ".function");
            calls.add(new ToolCall(requiredString(call, "id", callPath + ".id"),
                    requiredString(function, "name", callPath + ".function.name"),
                    optionalString(function, "arguments", callPath + ".function.arguments").orElse("")));
        }
        return calls;
    }

    private static ToolDefinition tool(JsonNode node, String path) {
        ObjectNode tool = object(node, path);
        String type = requiredString(tool, "type", path + ".type");
        if (!"function".equals(type)) {
            ObjectNode rest = tool.deepCopy();
            rest.remove("type");
            return new ToolDefinition(type, "", Optional.empty(), Optional.empty(), Optional.empty(),
                    unknown(rest, Set.of()));
        }
        JsonNode functionNode = tool.get("function");
        if (functionNode == null || functionNode.isNull()) {
            throw VeilException.invalidParam(path + ".function", "'" + path + ".function' is required");
        }
        ObjectNode function = object(functionNode, path + ".function");
        String name = requiredString(function, "name", path + ".function.name");
        JsonNode parameters = function.get("parameters");
        if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
            throw VeilException.invalidParam(path + ".function.parameters", "'" + path + ".function.parameters' "
                    + "must be a JSON schema object");
        }
        return new ToolDefinition("function", name,
                optionalString(function, "description", path + ".function.description"),
                parameters == null || parameters.isNull() ? Optional.empty() : Optional.of(raw(parameters)),
                optionalBoolean(function, "strict", path + ".function.strict"),
                unknown(function, FUNCTION_FIELDS));
    }

    private static Optional<ToolChoice> toolChoice(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            String mode = node.textValue();
            if (!Set.of("none", "auto", "required").contains(mode)) {
                throw VeilException.invalidParam("tool_choice", "'tool_choice' must be none, auto, required or an "
                        + "object naming a function");
            }
            return Optional.of(new ToolChoice.Mode(mode));
        }
        ObjectNode choice = object(node, "tool_choice");
        JsonNode function = choice.get("function");
        if ("function".equals(choice.path("type").asText()) && function != null && function.isObject()) {
            return Optional.of(new ToolChoice.Function(requiredString(function, "name", "tool_choice.function.name")));
        }
        return Optional.of(new ToolChoice.Other(raw(choice)));
    }

    private static Optional<ResponseFormat> responseFormat(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        ObjectNode format = object(node, "response_format");
        String type = requiredString(format, "type", "response_format.type");
        return Optional.of(switch (type) {
            case "text" -> new ResponseFormat.Text();
            case "json_object" -> new ResponseFormat.JsonObject();
            case "json_schema" -> {
                JsonNode schemaNode = format.get("json_schema");
                if (schemaNode == null || schemaNode.isNull()) {
                    throw VeilException.invalidParam("response_format.json_schema",
                            "'response_format.json_schema' is required when type is json_schema");
                }
                ObjectNode schema = object(schemaNode, "response_format.json_schema");
                JsonNode body = schema.get("schema");
                yield new ResponseFormat.JsonSchema(
                        requiredString(schema, "name", "response_format.json_schema.name"),
                        optionalString(schema, "description", "response_format.json_schema.description"),
                        body == null || body.isNull() ? Optional.empty() : Optional.of(raw(body)),
                        optionalBoolean(schema, "strict", "response_format.json_schema.strict"));
            }
            default -> throw VeilException.invalidParam("response_format.type",
                    "'response_format.type' must be text, json_object or json_schema");
        });
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.textValue());
        }
        if (!node.isArray()) {
            throw VeilException.invalidParam("stop", "'stop' must be a string or an array of strings");
        }
        List<String> stop = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw VeilException.invalidParam("stop", "'stop' must be a string or an array of strings");
            }
            stop.add(item.textValue());
        }
        return stop;
    }

    private static Optional<StreamOptions> streamOptions(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        ObjectNode options = object(node, "stream_options");
        return Optional.of(new StreamOptions(
                optionalBoolean(options, "include_usage", "stream_options.include_usage").orElse(false),
                unknown(options, STREAM_OPTION_FIELDS)));
    }

    private static EmbeddingInput embeddingInput(JsonNode input) {
        if (input == null || input.isNull()) {
            throw VeilException.invalidParam("input", "'input' is required");
        }
        if (input.isTextual()) {
            return new EmbeddingInput.Texts(List.of(input.textValue()), true);
        }
        if (!input.isArray() || input.isEmpty()) {
            throw VeilException.invalidParam("input", "'input' must be a string, a non-empty array of strings, or "
                    + "token arrays");
        }
        JsonNode first = input.get(0);
        if (first.isTextual()) {
            List<String> texts = new ArrayList<>(input.size());
            for (JsonNode item : input) {
                if (!item.isTextual()) {
                    throw VeilException.invalidParam("input", "'input' must not mix strings with other values");
                }
                texts.add(item.textValue());
            }
            return new EmbeddingInput.Texts(texts, false);
        }
        if (first.isIntegralNumber()) {
            for (JsonNode item : input) {
                if (!item.isIntegralNumber()) {
                    throw VeilException.invalidParam("input", "a token array must hold integers only");
                }
            }
            return new EmbeddingInput.Tokens(raw(input), 1);
        }
        for (JsonNode item : input) {
            if (!item.isArray() || item.isEmpty()) {
                throw VeilException.invalidParam("input", "'input' must be a string, an array of strings, or token "
                        + "arrays");
            }
            for (JsonNode token : item) {
                if (!token.isIntegralNumber()) {
                    throw VeilException.invalidParam("input", "a token array must hold integers only");
                }
            }
        }
        return new EmbeddingInput.Tokens(raw(input), input.size());
    }
}
