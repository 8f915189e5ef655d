package dev.veil.server.codec.responses;

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
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.Json;
import dev.veil.server.codec.JsonFields;
import dev.veil.server.codec.ModelNames;
import dev.veil.server.codec.Untranslated;
import dev.veil.server.codec.translation.Thinking;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.ResponseFormat;
import dev.veil.spi.Role;
import dev.veil.spi.SamplingParameters;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.VeilException;

/**
 * Reads {@code POST /v1/responses} bodies, validating as strictly as OpenAI does, and converts Responses items (input
 * items, and output items of earlier responses, which the API accepts as input) to canonical messages.
 *
 * <p>Parameters with a canonical home go there ({@code max_output_tokens} is {@code max_completion_tokens},
 * {@code reasoning.effort} is {@code reasoning_effort}, the flat {@code text.format} is a response format).
 * {@code text.verbosity}, {@code service_tier}, {@code prompt_cache_key} and {@code safety_identifier} become the
 * extensions of the same names, which is what Chat Completions calls them, so an OpenAI-family provider gets them.
 * Unknown top-level fields are kept as extensions, as on the Chat Completions surface. What only a Response repeats
 * ({@code reasoning.summary}, {@code top_logprobs}, {@code max_tool_calls}) is validated and kept in
 * {@link ResponsesCall#echo()}. What a relay to OpenAI sends but translation drops (hosted tools, the annotations of
 * an earlier answer's text) is kept as {@link Untranslated}, for plugins to read. OpenAI features Veil does not serve
 * ({@code background} mode, stored {@code prompt} templates, {@code conversation} objects, item references) are
 * refused with a 400 naming them.
 */
public final class ResponsesRequests {
    private static final Set<String> MAPPED_FIELDS = Set.of("model", "input", "instructions", "tools",
            "tool_choice", "parallel_tool_calls", "text", "reasoning", "max_output_tokens", "temperature", "top_p",
            "metadata", "user", "stream", "stream_options", "store", "previous_response_id", "include",
            "truncation", "background", "service_tier", "prompt_cache_key", "safety_identifier", "top_logprobs",
            "max_tool_calls", "prompt", "conversation");
    /** Passed on to OpenAI-family providers under the names Chat Completions gives them. */
    private static final List<String> CHAT_NAMED_FIELDS = List.of("service_tier", "prompt_cache_key",
            "safety_identifier");
    private static final Set<String> ROLES = Set.of("user", "system", "developer", "assistant");
    private static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh");
    private static final Set<String> SUMMARIES = Set.of("auto", "concise", "detailed");
    private static final Set<String> VERBOSITIES = Set.of("low", "medium", "high");
    private static final Set<String> SERVICE_TIERS = Set.of("auto", "default", "flex", "scale", "priority");
    private static final Set<String> TOOL_MODES = Set.of("none", "auto", "required");
    /**
     * What Veil reads of each item and content part, or leaves alone (ids and statuses, OpenAI's encrypted reasoning,
     * which only OpenAI can read): the rest is {@link Untranslated}.
     */
    private static final Map<String, Set<String>> ITEM_FIELDS = Map.of(
            "message", Set.of("type", "id", "status", "role", "content"),
            "function_call", Set.of("type", "id", "status", "call_id", "name", "arguments"),
            "function_call_output", Set.of("type", "id", "status", "call_id", "output"),
            "reasoning", Set.of("type", "id", "status", "summary", "content", "encrypted_content"));
    private static final Map<String, Set<String>> PART_FIELDS = Map.of(
            "input_text", Set.of("type", "text"),
            "output_text", Set.of("type", "text"),
            "refusal", Set.of("type", "refusal"),
            "input_image", Set.of("type", "image_url", "detail", "file_id"),
            "input_file", Set.of("type", "file_id", "file_data", "filename", "file_url"));
    private static final String ITEM_TYPES = "message, function_call, function_call_output, reasoning";

    private ResponsesRequests() {
    }

    /** Reads {@code POST /v1/responses}; every mistake is a 400 naming the field, never echoing its value. */
    public static ResponsesCall parse(byte[] body) {
        ObjectNode root = object(Json.parseRequest(body), "body");
        String model = ModelNames.check(requiredString(root, "model", "model"), "model");
        refused(root);
        Optional<String> instructions = optionalString(root, "instructions", "instructions");
        List<ObjectNode> input = input(root.get("input"));
        List<ChatMessage> messages = new ArrayList<>(input.size() + 1);
        instructions.ifPresent(text -> messages.add(ChatMessage.text(Role.SYSTEM, text)));
        messages.addAll(messages(input, "input"));

        List<String> builtIn = new ArrayList<>();
        List<ToolDefinition> tools = new ArrayList<>();
        ArrayNode echoedTools = WireNodes.array();
        ArrayNode hostedTools = WireNodes.array();
        List<JsonNode> toolNodes = array(root, "tools", "tools", false);
        for (int i = 0; i < toolNodes.size(); i++) {
            tool(toolNodes.get(i), "tools[" + i + "]", tools, builtIn, echoedTools, hostedTools);
        }
        JsonNode toolChoiceNode = root.get("tool_choice");
        Optional<ToolChoice> toolChoice = toolChoice(toolChoiceNode, builtIn);
        Optional<Boolean> parallel = optionalBoolean(root, "parallel_tool_calls", "parallel_tool_calls");

        ObjectNode text = WireNodes.object();
        Optional<ResponseFormat> format = text(root.get("text"), text);
        ObjectNode reasoning = WireNodes.object();
        Optional<String> effort = reasoning(root.get("reasoning"), reasoning);

        OptionalInt maxOutput = optionalInt(root, "max_output_tokens", "max_output_tokens", 1);
        OptionalDouble temperature = optionalNumber(root, "temperature", "temperature", 0, 2);
        OptionalDouble topP = optionalNumber(root, "top_p", "top_p", 0, 1);
        SamplingParameters.Builder sampling = SamplingParameters.builder();
        temperature.ifPresent(sampling::temperature);
        topP.ifPresent(sampling::topP);
        maxOutput.ifPresent(sampling::maxCompletionTokens);

        Map<String, String> metadata = JsonFields.stringMap(root, "metadata", "metadata");
        Optional<String> user = optionalString(root, "user", "user");
        boolean stream = optionalBoolean(root, "stream", "stream").orElse(false);
        JsonNode streamOptions = root.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull()) {
            object(streamOptions, "stream_options");
            if (!stream) {
                throw VeilException.invalidParam("stream_options", "'stream_options' is only allowed when 'stream' "
                        + "is true");
            }
        }
        boolean store = optionalBoolean(root, "store", "store").orElse(true);
        Optional<String> previous = optionalString(root, "previous_response_id", "previous_response_id");
        if (previous.isPresent() && !ResponseIds.valid(previous.get())) {
            throw VeilException.invalidParam("previous_response_id", "'previous_response_id' must be a response "
                    + "id: letters, digits, '_' and '-', at most 128 of them");
        }
        List<String> include = strings(root, "include");
        Optional<String> truncation = optionalString(root, "truncation", "truncation");
        if (truncation.isPresent() && !Set.of("auto", "disabled").contains(truncation.get())) {
            throw VeilException.invalidParam("truncation", "'truncation' must be 'auto' or 'disabled'");
        }
        Optional<String> serviceTier = optionalString(root, "service_tier", "service_tier");
        if (serviceTier.isPresent() && !SERVICE_TIERS.contains(serviceTier.get())) {
            throw VeilException.invalidParam("service_tier", "'service_tier' must be one of auto, default, flex, "
                    + "scale, priority");
        }
        Optional<String> promptCacheKey = optionalString(root, "prompt_cache_key", "prompt_cache_key");
        Optional<String> safetyIdentifier = optionalString(root, "safety_identifier", "safety_identifier");
        OptionalInt topLogprobs = optionalInt(root, "top_logprobs", "top_logprobs", 0);
        if (topLogprobs.isPresent() && topLogprobs.getAsInt() > 20) {
            throw VeilException.invalidParam("top_logprobs", "'top_logprobs' must be between 0 and 20");
        }
        OptionalInt maxToolCalls = optionalInt(root, "max_tool_calls", "max_tool_calls", 1);

        Map<String, RawJson> extensions = new LinkedHashMap<>();
        JsonNode verbosity = root.path("text").path("verbosity");
        if (verbosity.isTextual()) {
            extensions.put("verbosity", raw(verbosity));
        }
        for (String field : CHAT_NAMED_FIELDS) {
            JsonNode value = root.get(field);
            if (value != null && !value.isNull()) {
                extensions.put(field, raw(value));
            }
        }
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!MAPPED_FIELDS.contains(field.getKey())) {
                extensions.put(field.getKey(), raw(field.getValue()));
            }
        }
        ArrayNode untranslated = Untranslated.collector();
        hostedTools.forEach(untranslated::add);
        untranslated(input, untranslated);
        if (!untranslated.isEmpty()) {
            extensions.put(Untranslated.EXTENSION, raw(untranslated));
        }

        ChatRequest.Builder request = ChatRequest.builder(model, messages)
                .tools(tools)
                .sampling(sampling.build())
                .stream(stream)
                .metadata(metadata)
                .extensions(Extensions.of(extensions));
        toolChoice.ifPresent(request::toolChoice);
        parallel.ifPresent(request::parallelToolCalls);
        format.ifPresent(request::responseFormat);
        effort.ifPresent(request::reasoningEffort);
        user.ifPresent(request::user);

        ObjectNode echo = WireNodes.object();
        echo.put("background", false);
        putText(echo, "instructions", instructions);
        putInt(echo, "max_output_tokens", maxOutput);
        putInt(echo, "max_tool_calls", maxToolCalls);
        echo.put("parallel_tool_calls", parallel.orElse(true));
        putText(echo, "previous_response_id", previous);
        putText(echo, "prompt_cache_key", promptCacheKey);
        echo.set("reasoning", reasoning);
        putText(echo, "safety_identifier", safetyIdentifier);
        echo.put("service_tier", serviceTier.orElse("auto"));
        echo.put("store", store);
        echo.put("temperature", temperature.orElse(1.0));
        echo.set("text", text);
        echo.set("tool_choice", toolChoiceNode == null || toolChoiceNode.isNull()
                ? WireNodes.text("auto") : toolChoiceNode.deepCopy());
        echo.set("tools", echoedTools);
        echo.put("top_logprobs", topLogprobs.orElse(0));
        echo.put("top_p", topP.orElse(1.0));
        echo.put("truncation", truncation.orElse("disabled"));
        putText(echo, "user", user);
        ObjectNode echoedMetadata = echo.putObject("metadata");
        metadata.forEach(echoedMetadata::put);

        return new ResponsesCall(request.build(), input, instructions, previous, store, include, truncation,
                builtIn, echo);
    }

    /**
     * Converts Responses items to canonical messages. The assistant side of a turn (its {@code message} items,
     * {@code function_call} items and {@code reasoning}) becomes one assistant message: text first, then the calls,
     * whose results ({@code function_call_output}, each a tool message) then follow them as Chat Completions
     * requires. A {@code reasoning} item's text (its raw reasoning, else its summary) becomes that message's
     * reasoning, and is dropped when no assistant item follows it; thinking blocks Veil put in its
     * {@code encrypted_content} become the message's {@code thinking_blocks} again, as providers that sign their
     * thinking need. {@code developer} messages are system messages.
     * Two assistant texts in a row without calls stay two messages.
     *
     * @param items input items, or output items of earlier responses
     * @param where the parameter the items came from, for error messages ({@code input})
     */
    public static List<ChatMessage> messages(List<? extends JsonNode> items, String where) {
        List<ChatMessage> messages = new ArrayList<>(items.size());
        StringBuilder reasoning = new StringBuilder();
        ArrayNode blocks = WireNodes.array();
        // Whether the last message is the assistant's current turn, which its later items join.
        boolean assistantOpen = false;
        for (int i = 0; i < items.size(); i++) {
            String path = where + "[" + i + "]";
            ObjectNode item = object(items.get(i), path);
            String type = itemType(item, path);
            switch (type) {
                case "message" -> {
                    ChatMessage message = message(item, path);
                    if (message.role() != Role.ASSISTANT) {
                        messages.add(message);
                        reasoning.setLength(0);
                        blocks.removeAll();
                        assistantOpen = false;
                        continue;
                    }
                    ChatMessage last = assistantOpen ? messages.get(messages.size() - 1) : null;
                    // Text after a turn's calls joins them: Chat Completions wants a call's results right after it.
                    if (last != null && !last.toolCalls().isEmpty()) {
                        messages.set(messages.size() - 1, joined(last, message, reasoning, blocks));
                    } else {
                        messages.add(joined(null, message, reasoning, blocks));
                    }
                    assistantOpen = true;
                }
                case "function_call" -> {
                    ToolCall call = ToolCall.of(requiredString(item, "call_id", path + ".call_id"),
                            requiredString(item, "name", path + ".name"),
                            requiredString(item, "arguments", path + ".arguments"));
                    ChatMessage calls = ChatMessage.builder(Role.ASSISTANT).toolCalls(List.of(call)).build();
                    if (assistantOpen) {
                        messages.set(messages.size() - 1, joined(messages.get(messages.size() - 1), calls,
                                reasoning, blocks));
                    } else {
                        messages.add(joined(null, calls, reasoning, blocks));
                        assistantOpen = true;
                    }
                }
                case "function_call_output" -> {
                    String callId = requiredString(item, "call_id", path + ".call_id");
                    messages.add(ChatMessage.builder(Role.TOOL).toolCallId(callId)
                            .content(toolOutput(item, path)).build());
                    reasoning.setLength(0);
                    blocks.removeAll();
                    assistantOpen = false;
                }
                case "reasoning" -> {
                    String text = reasoningText(item, path);
                    if (!reasoning.isEmpty() && !text.isEmpty()) {
                        reasoning.append("\n\n");
                    }
                    reasoning.append(text);
                    thinkingBlocks(item, path).forEach(blocks::add);
                }
                case "item_reference" -> throw VeilException.invalidParam(path + ".type", "'" + path + "' is an "
                        + "item reference, which Veil does not resolve; send the item itself, or continue a stored "
                        + "response with 'previous_response_id'");
                default -> throw VeilException.invalidParam(path + ".type", "'" + path + ".type' names an item Veil "
                        + "does not translate; supported item types are " + ITEM_TYPES);
            }
        }
        return messages;
    }

    /**
     * The assistant message {@code next} joined to {@code last} (when there is one) and to the reasoning read before
     * it, which is then used up: contents, refusals, calls and reasoning follow each other in item order.
     */
    private static ChatMessage joined(ChatMessage last, ChatMessage next, StringBuilder reasoning,
                                      ArrayNode blocks) {
        ChatMessage.Builder message = (last == null ? next : last).toBuilder();
        String thought = join(last == null ? Optional.empty() : last.reasoningContent(),
                reasoning.isEmpty() ? next.reasoningContent() : Optional.of(reasoning.toString()));
        reasoning.setLength(0);
        if (!thought.isEmpty()) {
            message.reasoningContent(thought);
        }
        if (!blocks.isEmpty()) {
            ArrayNode all = WireNodes.array();
            if (last != null) {
                Thinking.returnedBlocks(last).forEach(all::add);
            }
            all.addAll(blocks);
            blocks.removeAll();
            Extensions extensions = (last == null ? next : last).extensions();
            message.extensions(extensions.with(Thinking.BLOCKS, raw(all)));
        }
        if (last != null) {
            List<ContentPart> content = new ArrayList<>(last.content());
            content.addAll(next.content());
            List<ToolCall> calls = new ArrayList<>(last.toolCalls());
            calls.addAll(next.toolCalls());
            message.content(content).toolCalls(calls);
            String refusal = join(last.refusal(), next.refusal());
            if (!refusal.isEmpty()) {
                message.refusal(refusal);
            }
        }
        return message.build();
    }

    private static String join(Optional<String> first, Optional<String> second) {
        if (first.isEmpty() || first.get().isEmpty()) {
            return second.orElse("");
        }
        return second.isEmpty() || second.get().isEmpty() ? first.get() : first.get() + "\n\n" + second.get();
    }

    // Top level ------------------------------------------------------------------------------------------------------

    private static void refused(ObjectNode root) {
        if (optionalBoolean(root, "background", "background").orElse(false)) {
            throw VeilException.invalidParam("background", "'background' mode is not supported by Veil; send the "
                    + "request without it");
        }
        for (String field : List.of("prompt", "conversation")) {
            JsonNode node = root.get(field);
            if (node != null && !node.isNull()) {
                throw VeilException.invalidParam(field, "'" + field + "' refers to state kept by OpenAI, which "
                        + "Veil does not support; use 'instructions', 'input' and 'previous_response_id'");
            }
        }
    }

    private static List<ObjectNode> input(JsonNode input) {
        if (input == null || input.isNull()) {
            return List.of();
        }
        if (input.isTextual()) {
            return List.of(userMessage(input.textValue()));
        }
        if (!input.isArray()) {
            throw VeilException.invalidParam("input", "'input' must be a string or an array of items, got "
                    + describe(input));
        }
        List<ObjectNode> items = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            items.add(normalized(object(input.get(i), "input[" + i + "]"), "input[" + i + "]"));
        }
        return items;
    }

    private static ObjectNode userMessage(String text) {
        ObjectNode item = WireNodes.object().put("type", "message").put("role", "user");
        item.putArray("content").addObject().put("type", "input_text").put("text", text);
        return item;
    }

    /** The fields of input items and their content parts that have no canonical home. */
    private static void untranslated(List<ObjectNode> items, ArrayNode into) {
        for (ObjectNode item : items) {
            Set<String> read = ITEM_FIELDS.get(item.path("type").asText());
            if (read == null) {
                continue;
            }
            Untranslated.leftovers(item, read, into);
            for (String field : List.of("content", "output")) {
                JsonNode parts = item.get(field);
                if (parts != null && parts.isArray() && !item.path("type").asText().equals("reasoning")) {
                    for (JsonNode part : parts) {
                        Untranslated.leftovers(part, PART_FIELDS.getOrDefault(part.path("type").asText(),
                                Set.of("type")), into);
                    }
                }
            }
        }
    }

    /** The item as stored: a message always has a type and content parts. */
    private static ObjectNode normalized(ObjectNode item, String path) {
        ObjectNode copy = item.deepCopy();
        if (!"message".equals(itemType(item, path))) {
            return copy;
        }
        if (!copy.has("type")) {
            ObjectNode typed = WireNodes.object().put("type", "message");
            typed.setAll(copy);
            copy = typed;
        }
        JsonNode content = copy.get("content");
        if (content != null && content.isTextual()) {
            boolean assistant = "assistant".equals(copy.path("role").asText());
            ObjectNode part = WireNodes.object().put("type", assistant ? "output_text" : "input_text")
                    .put("text", content.textValue());
            if (assistant) {
                part.putArray("annotations");
            }
            copy.putArray("content").add(part);
        }
        return copy;
    }

    /** An item's type; a message may leave it out. */
    private static String itemType(ObjectNode item, String path) {
        Optional<String> type = optionalString(item, "type", path + ".type");
        if (type.isPresent()) {
            return type.get();
        }
        if (item.has("role")) {
            return "message";
        }
        throw VeilException.invalidParam(path + ".type", "'" + path + ".type' is required");
    }

    private static List<String> strings(ObjectNode root, String field) {
        List<JsonNode> nodes = array(root, field, field, false);
        List<String> values = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            if (!nodes.get(i).isTextual()) {
                throw VeilException.invalidParam(field + "[" + i + "]", "'" + field + "[" + i + "]' must be a "
                        + "string, got " + describe(nodes.get(i)));
            }
            values.add(nodes.get(i).textValue());
        }
        return values;
    }

    private static void tool(JsonNode node, String path, List<ToolDefinition> tools, List<String> builtIn,
                             ArrayNode echoed, ArrayNode hosted) {
        ObjectNode tool = object(node, path);
        String type = requiredString(tool, "type", path + ".type");
        if (!type.equals("function")) {
            builtIn.add(type);
            echoed.add(tool.deepCopy());
            hosted.add(tool.deepCopy());
            return;
        }
        String name = requiredString(tool, "name", path + ".name");
        JsonNode parameters = tool.get("parameters");
        if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
            throw VeilException.invalidParam(path + ".parameters", "'" + path + ".parameters' must be a JSON schema "
                    + "object");
        }
        Optional<String> description = optionalString(tool, "description", path + ".description");
        Optional<Boolean> strict = optionalBoolean(tool, "strict", path + ".strict");
        Map<String, RawJson> rest = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : tool.properties()) {
            if (!Set.of("type", "name", "description", "parameters", "strict").contains(field.getKey())) {
                rest.put(field.getKey(), raw(field.getValue()));
            }
        }
        tools.add(new ToolDefinition("function", name, description,
                parameters == null || parameters.isNull() ? Optional.empty() : Optional.of(raw(parameters)),
                strict, Extensions.of(rest)));
        ObjectNode copy = WireNodes.object().put("type", "function").put("name", name);
        putText(copy, "description", description);
        copy.set("parameters", parameters == null ? WireNodes.nullNode() : parameters.deepCopy());
        if (strict.isPresent()) {
            copy.put("strict", strict.get());
        } else {
            copy.putNull("strict");
        }
        echoed.add(copy);
    }

    private static Optional<ToolChoice> toolChoice(JsonNode node, List<String> builtIn) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            if (!TOOL_MODES.contains(node.textValue())) {
                throw VeilException.invalidParam("tool_choice", "'tool_choice' must be none, auto, required or an "
                        + "object naming a tool");
            }
            return Optional.of(ToolChoice.mode(node.textValue()));
        }
        ObjectNode choice = object(node, "tool_choice");
        String type = requiredString(choice, "type", "tool_choice.type");
        return switch (type) {
            case "function" -> Optional.of(ToolChoice.function(requiredString(choice, "name", "tool_choice.name")));
            case "allowed_tools" -> throw VeilException.invalidParam("tool_choice.type", "'tool_choice' of type "
                    + "allowed_tools is not supported; list only the allowed tools in 'tools'");
            default -> {
                // A hosted tool (web_search, file_search, mcp, ...): only a provider that has it can honour this.
                if (!builtIn.contains(type)) {
                    builtIn.add(type);
                }
                yield Optional.empty();
            }
        };
    }

    /** {@code text}: a flat format and a verbosity; the echo gets both, OpenAI's defaults filled in. */
    private static Optional<ResponseFormat> text(JsonNode node, ObjectNode echo) {
        ObjectNode textObject = node == null || node.isNull() ? WireNodes.object() : object(node, "text");
        Optional<String> verbosity = optionalString(textObject, "verbosity", "text.verbosity");
        if (verbosity.isPresent() && !VERBOSITIES.contains(verbosity.get())) {
            throw VeilException.invalidParam("text.verbosity", "'text.verbosity' must be low, medium or high");
        }
        JsonNode formatNode = textObject.get("format");
        Optional<ResponseFormat> format = Optional.empty();
        if (formatNode == null || formatNode.isNull()) {
            echo.putObject("format").put("type", "text");
        } else {
            ObjectNode formatObject = object(formatNode, "text.format");
            String type = requiredString(formatObject, "type", "text.format.type");
            format = Optional.of(switch (type) {
                case "text" -> ResponseFormat.text();
                case "json_object" -> ResponseFormat.jsonObject();
                case "json_schema" -> {
                    String name = requiredString(formatObject, "name", "text.format.name");
                    JsonNode schema = formatObject.get("schema");
                    if (schema == null || schema.isNull()) {
                        throw VeilException.invalidParam("text.format.schema", "'text.format.schema' is required "
                                + "when type is json_schema");
                    }
                    object(schema, "text.format.schema");
                    yield new ResponseFormat.JsonSchema(name,
                            optionalString(formatObject, "description", "text.format.description"),
                            Optional.of(raw(schema)),
                            optionalBoolean(formatObject, "strict", "text.format.strict"));
                }
                default -> throw VeilException.invalidParam("text.format.type",
                        "'text.format.type' must be text, json_object or json_schema");
            });
            echo.set("format", formatObject.deepCopy());
        }
        echo.put("verbosity", verbosity.orElse("medium"));
        return format;
    }

    private static Optional<String> reasoning(JsonNode node, ObjectNode echo) {
        ObjectNode reasoning = node == null || node.isNull() ? WireNodes.object() : object(node, "reasoning");
        Optional<String> effort = optionalString(reasoning, "effort", "reasoning.effort");
        if (effort.isPresent() && !EFFORTS.contains(effort.get())) {
            throw VeilException.invalidParam("reasoning.effort", "'reasoning.effort' must be one of none, minimal, "
                    + "low, medium, high, xhigh");
        }
        Optional<String> summary = optionalString(reasoning, "summary", "reasoning.summary")
                .or(() -> optionalString(reasoning, "generate_summary", "reasoning.generate_summary"));
        if (summary.isPresent() && !SUMMARIES.contains(summary.get())) {
            throw VeilException.invalidParam("reasoning.summary", "'reasoning.summary' must be auto, concise or "
                    + "detailed");
        }
        putText(echo, "effort", effort);
        putText(echo, "summary", summary);
        return effort;
    }

    // Items ----------------------------------------------------------------------------------------------------------

    private static ChatMessage message(ObjectNode item, String path) {
        String roleName = requiredString(item, "role", path + ".role");
        if (!ROLES.contains(roleName)) {
            throw VeilException.invalidParam(path + ".role", "'" + path + ".role' must be one of user, system, "
                    + "developer, assistant");
        }
        Role role = switch (roleName) {
            case "assistant" -> Role.ASSISTANT;
            case "user" -> Role.USER;
            default -> Role.SYSTEM;
        };
        JsonNode content = item.get("content");
        if (content == null || content.isNull()) {
            throw VeilException.invalidParam(path + ".content", "'" + path + ".content' is required");
        }
        if (content.isTextual()) {
            return ChatMessage.text(role, content.textValue());
        }
        if (!content.isArray()) {
            throw VeilException.invalidParam(path + ".content", "'" + path + ".content' must be a string or an "
                    + "array of content parts, got " + describe(content));
        }
        List<ContentPart> parts = new ArrayList<>(content.size());
        StringBuilder refusal = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            String partPath = path + ".content[" + i + "]";
            ObjectNode part = object(content.get(i), partPath);
            String type = requiredString(part, "type", partPath + ".type");
            if (type.equals("refusal")) {
                if (role != Role.ASSISTANT) {
                    throw VeilException.invalidParam(partPath + ".type", "'" + partPath + "' is a refusal, which "
                            + "only an assistant message may hold");
                }
                refusal.append(requiredString(part, "refusal", partPath + ".refusal"));
            } else {
                parts.add(part(part, type, partPath));
            }
        }
        ChatMessage.Builder message = ChatMessage.builder(role).content(parts);
        if (!refusal.isEmpty()) {
            message.refusal(refusal.toString());
        }
        return message.build();
    }

    private static ContentPart part(ObjectNode part, String type, String path) {
        return switch (type) {
            case "input_text", "output_text" -> ContentPart.text(requiredString(part, "text", path + ".text"));
            case "input_image" -> {
                Optional<String> url = optionalString(part, "image_url", path + ".image_url");
                if (url.isEmpty()) {
                    optionalString(part, "file_id", path + ".file_id");
                    throw VeilException.invalidParam(path + ".image_url", "'" + path + ".image_url' is required: "
                            + "Veil cannot pass an image by file id to every provider; send it as a URL or a data: "
                            + "URL");
                }
                Optional<String> detail = optionalString(part, "detail", path + ".detail");
                yield new ContentPart.Image(url.get(), detail, Extensions.NONE);
            }
            case "input_file" -> file(part, path);
            default -> throw VeilException.invalidParam(path + ".type", "'" + path + ".type' must be one of "
                    + "input_text, input_image, input_file, output_text, refusal");
        };
    }

    /** A file part in Chat Completions' form ({@code {"type":"file","file":{...}}}), which OpenAI-family providers
     *  take; Chat Completions has no file URLs, so those are refused. */
    private static ContentPart file(ObjectNode part, String path) {
        if (part.hasNonNull("file_url")) {
            throw VeilException.invalidParam(path + ".file_url", "'" + path + ".file_url' is not supported; send "
                    + "the file as file_data or file_id");
        }
        Optional<String> fileId = optionalString(part, "file_id", path + ".file_id");
        Optional<String> fileData = optionalString(part, "file_data", path + ".file_data");
        Optional<String> filename = optionalString(part, "filename", path + ".filename");
        if (fileId.isEmpty() && fileData.isEmpty()) {
            throw VeilException.invalidParam(path + ".file_data", "'" + path + "' needs file_data or file_id");
        }
        ObjectNode chatPart = WireNodes.object().put("type", "file");
        ObjectNode file = chatPart.putObject("file");
        fileId.ifPresent(id -> file.put("file_id", id));
        fileData.ifPresent(data -> file.put("file_data", data));
        filename.ifPresent(name -> file.put("filename", name));
        return ContentPart.other("file", raw(chatPart));
    }

    private static List<ContentPart> toolOutput(ObjectNode item, String path) {
        JsonNode output = item.get("output");
        if (output == null || output.isNull()) {
            throw VeilException.invalidParam(path + ".output", "'" + path + ".output' is required");
        }
        if (output.isTextual()) {
            return List.of(ContentPart.text(output.textValue()));
        }
        if (!output.isArray()) {
            throw VeilException.invalidParam(path + ".output", "'" + path + ".output' must be a string or an array "
                    + "of content parts, got " + describe(output));
        }
        List<ContentPart> parts = new ArrayList<>(output.size());
        for (int i = 0; i < output.size(); i++) {
            String partPath = path + ".output[" + i + "]";
            ObjectNode part = object(output.get(i), partPath);
            parts.add(part(part, requiredString(part, "type", partPath + ".type"), partPath));
        }
        return parts;
    }

    /** The signed thinking blocks a reasoning item carries in {@code encrypted_content}, when it is Veil's. */
    private static JsonNode thinkingBlocks(ObjectNode item, String path) {
        Optional<String> encrypted = optionalString(item, "encrypted_content", path + ".encrypted_content");
        if (encrypted.isEmpty() || !ResponsesWriter.isThinkingBlocks(encrypted.get())) {
            return WireNodes.array();
        }
        return WireJson.tree(RawJson.of(encrypted.get()));
    }

    /** The readable text of a reasoning item: its raw reasoning if given, else its summary. */
    private static String reasoningText(ObjectNode item, String path) {
        StringBuilder text = new StringBuilder();
        for (String field : List.of("content", "summary")) {
            List<JsonNode> parts = array(item, field, path + "." + field, false);
            if (!text.isEmpty()) {
                // The raw reasoning already holds what its summary says.
                continue;
            }
            for (int i = 0; i < parts.size(); i++) {
                String partPath = path + "." + field + "[" + i + "]";
                ObjectNode part = object(parts.get(i), partPath);
                if (!text.isEmpty()) {
                    text.append("\n\n");
                }
                text.append(requiredString(part, "text", partPath + ".text"));
            }
        }
        return text.toString();
    }

    // Echo -----------------------------------------------------------------------------------------------------------

    private static void putText(ObjectNode node, String field, Optional<String> value) {
        if (value.isPresent()) {
            node.put(field, value.get());
        } else {
            node.putNull(field);
        }
    }

    private static void putInt(ObjectNode node, String field, OptionalInt value) {
        if (value.isPresent()) {
            node.put(field, value.getAsInt());
        } else {
            node.putNull(field);
        }
    }
}
