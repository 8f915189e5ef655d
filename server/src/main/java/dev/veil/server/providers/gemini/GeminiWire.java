package dev.veil.server.providers.gemini;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.translation.AnswerMessage;
import dev.veil.server.codec.translation.DataUrl;
import dev.veil.server.codec.translation.Instructions;
import dev.veil.server.codec.translation.MergedTurns;
import dev.veil.server.codec.translation.Thinking;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.ResponseFormat;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.Usage;

/**
 * Canonical chat ⇄ Gemini {@code generateContent}: messages become {@code contents} with roles {@code user} and
 * {@code model} (consecutive turns of one role merged), system and developer messages {@code systemInstruction},
 * tools {@code functionDeclarations}, tool calls and results {@code functionCall} and {@code functionResponse} parts,
 * images {@code inlineData} or {@code fileData}, sampling and JSON mode {@code generationConfig}.
 */
public final class GeminiWire {
    /** Schema keywords Gemini's OpenAPI-subset schemas reject; JSON Schema tools commonly carry them. */
    private static final List<String> UNSUPPORTED_SCHEMA_KEYS = List.of("$schema", "additionalProperties", "strict",
            "$id");

    private GeminiWire() {
    }

    // Requests ------------------------------------------------------------------------------------------------------

    public static ObjectNode request(ChatRequest request) {
        ObjectNode body = WireJson.NODES.objectNode();
        MergedTurns turns = new MergedTurns(body.putArray("contents"), "parts");
        ArrayNode system = WireJson.NODES.arrayNode();
        Map<String, String> functionByCallId = new HashMap<>();
        for (int i = 0; i < request.messages().size(); i++) {
            ChatMessage message = request.messages().get(i);
            if (Instructions.is(message)) {
                for (ContentPart part : message.content()) {
                    if (part instanceof ContentPart.Text text) {
                        system.addObject().put("text", text.text());
                    }
                }
                continue;
            }
            String role = message.role() == Role.ASSISTANT ? "model" : "user";
            ArrayNode parts = WireJson.NODES.arrayNode();
            switch (message.role()) {
                case ASSISTANT -> {
                    contentParts(message.content(), parts);
                    for (int j = 0; j < message.toolCalls().size(); j++) {
                        ToolCall call = message.toolCalls().get(j);
                        functionByCallId.put(call.id(), call.name());
                        parts.addObject().putObject("functionCall").put("name", call.name()).set("args",
                                WireJson.arguments(call.arguments(),
                                        "messages[" + i + "].tool_calls[" + j + "].function.arguments"));
                    }
                }
                case TOOL, FUNCTION -> {
                    String name = message.toolCallId().map(functionByCallId::get).or(message::name).orElse("");
                    ObjectNode response = parts.addObject().putObject("functionResponse");
                    response.put("name", name);
                    response.set("response", functionResponse(message.text()));
                }
                default -> contentParts(message.content(), parts);
            }
            if (parts.isEmpty()) {
                continue;
            }
            turns.add(role, parts);
        }
        if (!system.isEmpty()) {
            body.putObject("systemInstruction").set("parts", system);
        }
        tools(request, body);
        ObjectNode config = generationConfig(request);
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        return body;
    }

    /** A tool's answer: Gemini wants an object; a JSON object answer is one, anything else is wrapped. */
    private static JsonNode functionResponse(String text) {
        try {
            JsonNode parsed = WireJson.MAPPER.readTree(text);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (java.io.IOException e) {
            // not JSON: wrapped below
        }
        return WireJson.NODES.objectNode().put("result", text);
    }

    private static void contentParts(List<ContentPart> content, ArrayNode parts) {
        for (ContentPart part : content) {
            switch (part) {
                case ContentPart.Text text -> {
                    if (!text.text().isEmpty()) {
                        parts.addObject().put("text", text.text());
                    }
                }
                case ContentPart.Image image -> {
                    Optional<DataUrl> inline = DataUrl.parse(image.url());
                    if (inline.isPresent()) {
                        parts.addObject().putObject("inlineData").put("mimeType", inline.get().mediaType())
                                .put("data", inline.get().base64());
                    } else {
                        parts.addObject().putObject("fileData").put("mimeType", DataUrl.guessMediaType(image.url()))
                                .put("fileUri", image.url());
                    }
                }
                case ContentPart.Other other -> parts.add(WireJson.tree(other.json()));
            }
        }
    }

    private static void tools(ChatRequest request, ObjectNode body) {
        ArrayNode declarations = WireJson.NODES.arrayNode();
        for (ToolDefinition tool : request.tools()) {
            if (!tool.isFunction()) {
                continue;
            }
            ObjectNode declaration = declarations.addObject();
            declaration.put("name", tool.name());
            tool.description().ifPresent(d -> declaration.put("description", d));
            tool.parameters().map(WireJson::tree).map(GeminiWire::schema)
                    .ifPresent(schema -> declaration.set("parameters", schema));
        }
        if (!declarations.isEmpty()) {
            body.putArray("tools").addObject().set("functionDeclarations", declarations);
        }
        request.toolChoice().ifPresent(choice -> {
            ObjectNode config = WireJson.NODES.objectNode();
            switch (choice) {
                case ToolChoice.Mode mode -> config.put("mode", switch (mode.mode()) {
                    case "required" -> "ANY";
                    case "none" -> "NONE";
                    default -> "AUTO";
                });
                case ToolChoice.Function function -> {
                    config.put("mode", "ANY");
                    config.putArray("allowedFunctionNames").add(function.name());
                }
                case ToolChoice.Other other -> {
                    return;
                }
            }
            body.putObject("toolConfig").set("functionCallingConfig", config);
        });
    }

    private static ObjectNode generationConfig(ChatRequest request) {
        ObjectNode config = WireJson.NODES.objectNode();
        var sampling = request.sampling();
        sampling.temperature().ifPresent(t -> config.put("temperature", t));
        sampling.topP().ifPresent(p -> config.put("topP", p));
        sampling.outputTokenLimit().ifPresent(limit -> config.put("maxOutputTokens", limit));
        sampling.n().ifPresent(n -> config.put("candidateCount", n));
        sampling.presencePenalty().ifPresent(p -> config.put("presencePenalty", p));
        sampling.frequencyPenalty().ifPresent(p -> config.put("frequencyPenalty", p));
        request.seed().ifPresent(seed -> config.put("seed", seed));
        if (!request.stop().isEmpty()) {
            ArrayNode stop = config.putArray("stopSequences");
            request.stop().forEach(stop::add);
        }
        request.responseFormat().ifPresent(format -> {
            switch (format) {
                case ResponseFormat.JsonObject json -> config.put("responseMimeType", "application/json");
                case ResponseFormat.JsonSchema schema -> {
                    config.put("responseMimeType", "application/json");
                    schema.schema().map(WireJson::tree).map(GeminiWire::schema)
                            .ifPresent(s -> config.set("responseSchema", s));
                }
                case ResponseFormat.Text text -> {
                }
            }
        });
        OptionalInt budget = Thinking.budget(request);
        if (budget.isPresent()) {
            config.putObject("thinkingConfig").put("thinkingBudget", budget.getAsInt()).put("includeThoughts", true);
        }
        return config;
    }

    /** A JSON schema without the keywords Gemini rejects, at every depth. */
    static JsonNode schema(JsonNode node) {
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.deepCopy();
            strip(copy);
            return copy;
        }
        return node;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            UNSUPPORTED_SCHEMA_KEYS.forEach(object::remove);
            object.forEach(GeminiWire::strip);
        } else if (node instanceof ArrayNode array) {
            array.forEach(GeminiWire::strip);
        }
    }

    // Answers -------------------------------------------------------------------------------------------------------

    public static ChatResponse response(byte[] bytes, String requestedModel, long created)
            throws MalformedUpstreamException {
        JsonNode body = WireJson.parse(bytes, "the answer");
        JsonNode candidates = body.path("candidates");
        List<Choice> choices = new ArrayList<>();
        if (candidates.isArray()) {
            for (int i = 0; i < candidates.size(); i++) {
                JsonNode candidate = candidates.get(i);
                StringBuilder text = new StringBuilder();
                StringBuilder thoughts = new StringBuilder();
                List<ToolCall> calls = new ArrayList<>();
                for (JsonNode part : candidate.path("content").path("parts")) {
                    if (part.has("functionCall")) {
                        JsonNode call = part.get("functionCall");
                        calls.add(new ToolCall(WireJson.string(call, "id").orElse(callId(i, calls.size())),
                                call.path("name").asText(""), WireJson.text(call.path("args").isMissingNode()
                                        ? WireJson.NODES.objectNode() : call.path("args"))));
                    } else if (part.path("thought").asBoolean(false)) {
                        thoughts.append(part.path("text").asText(""));
                    } else if (part.has("text")) {
                        text.append(part.path("text").asText(""));
                    }
                }
                ChatMessage message = AnswerMessage.of(text, thoughts, calls);
                choices.add(new Choice(candidate.path("index").asInt(i), message,
                        finishReason(candidate.path("finishReason"), !calls.isEmpty()), Extensions.NONE));
            }
        }
        if (choices.isEmpty() && body.path("promptFeedback").has("blockReason")) {
            // The prompt itself was blocked: no candidate at all.
            choices.add(new Choice(0, new ChatMessage(Role.ASSISTANT, List.of(), Optional.empty(), List.of(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Extensions.NONE),
                    Optional.of(FinishReason.CONTENT_FILTER), Extensions.NONE));
        }
        if (choices.isEmpty()) {
            throw new MalformedUpstreamException("the answer has no candidates");
        }
        return new ChatResponse(WireJson.string(body, "responseId").orElseGet(() -> "gemini-" + Long.toHexString(
                ThreadLocalRandom.current().nextLong())), created,
                WireJson.string(body, "modelVersion").orElse(requestedModel), choices,
                usage(body.path("usageMetadata")), Optional.empty(), Extensions.NONE);
    }

    static String callId(int candidate, int call) {
        return "call_" + candidate + "_" + call;
    }

    /** Gemini's finish reasons in OpenAI's words; safety and recitation blocks are content filtering. */
    static Optional<FinishReason> finishReason(JsonNode reason, boolean calledTools) {
        if (reason == null || !reason.isTextual()) {
            return Optional.empty();
        }
        return Optional.of(switch (reason.textValue()) {
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" ->
                    FinishReason.CONTENT_FILTER;
            default -> calledTools ? FinishReason.TOOL_CALLS : FinishReason.STOP;
        });
    }

    /** Thoughts are output tokens Gemini counts apart; the canonical completion count includes them. */
    static Optional<Usage> usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        long prompt = usage.path("promptTokenCount").asLong(0);
        long thoughts = usage.path("thoughtsTokenCount").asLong(0);
        long completion = usage.path("candidatesTokenCount").asLong(0) + thoughts;
        long total = usage.path("totalTokenCount").asLong(prompt + completion);
        return Optional.of(new Usage(prompt, completion, total, usage.path("cachedContentTokenCount").asLong(0), 0,
                thoughts, Extensions.NONE));
    }
}
