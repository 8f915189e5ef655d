package dev.veil.server.providers.bedrock;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

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
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;

/**
 * Canonical chat ⇄ Amazon Bedrock's Converse API ({@code POST /model/{modelId}/converse} and
 * {@code /converse-stream}).
 *
 * <p>Requests: system and developer messages become {@code system} blocks; content blocks are keyed by shape
 * ({@code {"text"}}, {@code {"image"}}, {@code {"toolUse"}}, {@code {"toolResult"}}, {@code {"reasoningContent"}});
 * consecutive messages of one role are merged, as Converse requires alternation; tool results become
 * {@code toolResult} blocks of a user turn; inline images are sent as bytes (base64 in JSON) while remote image URLs,
 * which Converse cannot fetch, are a clear 400; a {@code cache_control} marker becomes a {@code cachePoint} block.
 * Sampling goes to {@code inferenceConfig}, tools to {@code toolConfig}, and model-specific fields (a Claude thinking
 * budget, {@code top_k}, the client's own {@code additionalModelRequestFields}) to
 * {@code additionalModelRequestFields}.
 *
 * <p>Answers: text blocks become the content, {@code toolUse} blocks tool calls, {@code reasoningContent}
 * {@code reasoning_content}, with the signed blocks also as {@code thinking_blocks} (Anthropic's shape, so that a
 * client can send them back whichever Claude host it talks to).
 */
public final class BedrockWire {
    /** Added to a thinking budget for the answer itself when the client sets no limit (the limit includes both). */
    public static final int ANSWER_TOKENS_AFTER_THINKING = 4096;
    private static final String CACHE_CONTROL = "cache_control";
    /** Converse fields a client may send as they are; they have no OpenAI counterpart. */
    private static final List<String> PASSTHROUGH = List.of("guardrailConfig", "performanceConfig",
            "requestMetadata", "additionalModelResponseFieldPaths", "promptVariables");

    private BedrockWire() {
    }

    // Requests ------------------------------------------------------------------------------------------------------

    /** The Converse request body for {@code model}; the model id itself travels in the path. */
    public static ObjectNode request(ChatRequest request, String model, String provider) {
        ObjectNode body = WireJson.NODES.objectNode();
        ArrayNode system = WireJson.NODES.arrayNode();
        MergedTurns turns = new MergedTurns(body.putArray("messages"), "content");
        for (int i = 0; i < request.messages().size(); i++) {
            ChatMessage message = request.messages().get(i);
            String path = "messages[" + i + "]";
            if (Instructions.is(message)) {
                for (ContentPart.Text text : Instructions.nonEmptyTexts(message)) {
                    system.addObject().put("text", text.text());
                    cachePoint(system, text.extensions());
                }
                cachePoint(system, message.extensions());
                continue;
            }
            String role = message.role() == Role.ASSISTANT ? "assistant" : "user";
            ArrayNode blocks = WireJson.NODES.arrayNode();
            switch (message.role()) {
                case ASSISTANT -> assistantBlocks(message, blocks, path, provider);
                case TOOL, FUNCTION -> blocks.add(toolResult(message, path, provider));
                default -> contentBlocks(message.content(), blocks, path, provider);
            }
            if (blocks.isEmpty()) {
                continue; // Converse rejects empty messages; an empty one says nothing
            }
            cachePoint(blocks, message.extensions());
            turns.add(role, blocks);
        }
        if (!system.isEmpty()) {
            body.set("system", system);
        }

        OptionalInt budget = Thinking.budget(request);
        boolean claude = isClaude(model);
        ObjectNode inference = WireJson.NODES.objectNode();
        OptionalInt limit = request.sampling().outputTokenLimit();
        if (limit.isPresent()) {
            inference.put("maxTokens", limit.getAsInt());
        } else if (budget.isPresent() && claude) {
            inference.put("maxTokens", budget.getAsInt() + ANSWER_TOKENS_AFTER_THINKING);
        }
        request.sampling().temperature().ifPresent(t -> inference.put("temperature", t));
        request.sampling().topP().ifPresent(p -> inference.put("topP", p));
        if (!request.stop().isEmpty()) {
            ArrayNode stop = inference.putArray("stopSequences");
            request.stop().forEach(stop::add);
        }
        if (!inference.isEmpty()) {
            body.set("inferenceConfig", inference);
        }
        toolConfig(request, body, provider);

        ObjectNode additional = WireJson.NODES.objectNode();
        Optional<RawJson> thinking = Thinking.anthropicThinking(request);
        if (thinking.isPresent()) {
            additional.set("thinking", WireJson.tree(thinking.get()));
        } else if (budget.isPresent() && claude) {
            additional.putObject("thinking").put("type", "enabled").put("budget_tokens", budget.getAsInt());
        } else if (request.reasoningEffort().isPresent() && !claude) {
            // Bedrock's other reasoning models (gpt-oss, ...) take the effort as it is.
            additional.put("reasoning_effort", request.reasoningEffort().get());
        }
        request.extensions().get("top_k").ifPresent(k -> additional.set("top_k", WireJson.tree(k)));
        request.extensions().get("additionalModelRequestFields").map(WireJson::tree).ifPresent(fields -> {
            if (fields.isObject()) {
                fields.properties().forEach(field -> additional.set(field.getKey(), field.getValue()));
            }
        });
        if (!additional.isEmpty()) {
            body.set("additionalModelRequestFields", additional);
        }
        for (String field : PASSTHROUGH) {
            request.extensions().get(field).ifPresent(value -> body.set(field, WireJson.tree(value)));
        }
        return body;
    }

    /** Claude on Bedrock: {@code anthropic.claude-...}, inference profiles such as {@code us.anthropic.claude-...}. */
    static boolean isClaude(String model) {
        return model.toLowerCase(Locale.ROOT).contains("claude");
    }

    private static void assistantBlocks(ChatMessage message, ArrayNode blocks, String path, String provider) {
        // Converse wants the reasoning first, with the signature the model gave it.
        for (JsonNode block : Thinking.returnedBlocks(message)) {
            blocks.add(reasoningBlock(block));
        }
        contentBlocks(message.content(), blocks, path, provider);
        for (int j = 0; j < message.toolCalls().size(); j++) {
            ToolCall call = message.toolCalls().get(j);
            ObjectNode use = blocks.addObject().putObject("toolUse");
            use.put("toolUseId", call.id());
            use.put("name", call.name());
            use.set("input", WireJson.arguments(call.arguments(),
                    path + ".tool_calls[" + j + "].function.arguments"));
        }
    }

    /** A thinking block as a client returned it (Anthropic's shape), as a Converse {@code reasoningContent} block. */
    private static ObjectNode reasoningBlock(JsonNode block) {
        ObjectNode out = WireJson.NODES.objectNode();
        ObjectNode reasoning = out.putObject("reasoningContent");
        if ("redacted_thinking".equals(block.path("type").asText())) {
            reasoning.set("redactedContent", block.path("data"));
        } else {
            ObjectNode text = reasoning.putObject("reasoningText");
            text.put("text", block.path("thinking").asText(""));
            if (block.path("signature").isTextual()) {
                text.set("signature", block.path("signature"));
            }
        }
        return out;
    }

    private static ObjectNode toolResult(ChatMessage message, String path, String provider) {
        ObjectNode out = WireJson.NODES.objectNode();
        ObjectNode result = out.putObject("toolResult");
        result.put("toolUseId", message.toolCallId().or(message::name).orElse(""));
        ArrayNode content = result.putArray("content");
        contentBlocks(message.content(), content, path, provider);
        if (content.isEmpty()) {
            content.addObject().put("text", message.text());
        }
        return out;
    }

    private static void contentBlocks(List<ContentPart> parts, ArrayNode blocks, String path, String provider) {
        for (int j = 0; j < parts.size(); j++) {
            ContentPart part = parts.get(j);
            String partPath = path + ".content[" + j + "]";
            switch (part) {
                case ContentPart.Text text -> {
                    // Converse rejects blank text blocks; an empty part adds nothing.
                    if (!text.text().isEmpty()) {
                        blocks.addObject().put("text", text.text());
                        cachePoint(blocks, text.extensions());
                    }
                }
                case ContentPart.Image image -> {
                    blocks.add(imageBlock(image, partPath + ".image_url.url", provider));
                    cachePoint(blocks, image.extensions());
                }
                case ContentPart.Other other -> throw VeilException.invalidParam(partPath + ".type",
                        "content parts of type '" + other.type() + "' are not supported by provider '" + provider
                                + "' (bedrock); send text or images");
            }
        }
    }

    private static ObjectNode imageBlock(ContentPart.Image image, String param, String provider) {
        DataUrl inline = DataUrl.parse(image.url()).orElseThrow(() -> VeilException.invalidParam(param,
                "provider '" + provider + "' (bedrock) accepts images only inline, as data:image/...;base64 URLs; "
                        + "Bedrock's Converse API cannot fetch image URLs"));
        String format = switch (inline.mediaType().toLowerCase(Locale.ROOT)) {
            case "image/png" -> "png";
            case "image/jpeg", "image/jpg" -> "jpeg";
            case "image/gif" -> "gif";
            case "image/webp" -> "webp";
            default -> throw VeilException.invalidParam(param, "provider '" + provider + "' (bedrock) accepts "
                    + "png, jpeg, gif and webp images only");
        };
        ObjectNode block = WireJson.NODES.objectNode();
        ObjectNode img = block.putObject("image");
        img.put("format", format);
        img.putObject("source").put("bytes", inline.base64());
        return block;
    }

    /** A {@code cache_control} marker (Anthropic's, on a part, message or tool) is a cache point after that block. */
    private static void cachePoint(ArrayNode blocks, Extensions extensions) {
        if (!blocks.isEmpty() && extensions.get(CACHE_CONTROL).isPresent()) {
            blocks.addObject().putObject("cachePoint").put("type", "default");
        }
    }

    private static void toolConfig(ChatRequest request, ObjectNode body, String provider) {
        if (request.tools().isEmpty()) {
            return;
        }
        Optional<ToolChoice> choice = request.toolChoice();
        boolean none = choice.filter(c -> c instanceof ToolChoice.Mode mode && "none".equals(mode.mode()))
                .isPresent();
        // Converse has no "none"; leaving the tools out says it, unless the conversation already holds tool blocks,
        // which Converse accepts only alongside a toolConfig.
        if (none && !hasToolBlocks(body.path("messages"))) {
            return;
        }
        ObjectNode config = body.putObject("toolConfig");
        ArrayNode tools = config.putArray("tools");
        for (int i = 0; i < request.tools().size(); i++) {
            ToolDefinition tool = request.tools().get(i);
            if (!tool.isFunction()) {
                throw VeilException.invalidParam("tools[" + i + "].type", "provider '" + provider + "' (bedrock) "
                        + "supports function tools only, not '" + tool.type() + "'");
            }
            ObjectNode spec = tools.addObject().putObject("toolSpec");
            spec.put("name", tool.name());
            tool.description().filter(d -> !d.isBlank()).ifPresent(d -> spec.put("description", d));
            spec.putObject("inputSchema").set("json", tool.parameters().map(WireJson::tree)
                    .orElseGet(() -> WireJson.NODES.objectNode().put("type", "object")));
            cachePoint(tools, tool.extensions());
        }
        if (choice.isEmpty() || none) {
            return;
        }
        switch (choice.get()) {
            case ToolChoice.Mode mode -> config.putObject("toolChoice")
                    .putObject("required".equals(mode.mode()) ? "any" : "auto");
            case ToolChoice.Function function -> config.putObject("toolChoice").putObject("tool")
                    .put("name", function.name());
            // A Bedrock-native choice ({"any": {}}, ...) as the client sent it.
            case ToolChoice.Other other -> config.set("toolChoice", WireJson.tree(other.json()));
        }
    }

    private static boolean hasToolBlocks(JsonNode messages) {
        for (JsonNode message : messages) {
            for (JsonNode block : message.path("content")) {
                if (block.has("toolUse") || block.has("toolResult")) {
                    return true;
                }
            }
        }
        return false;
    }

    // Answers -------------------------------------------------------------------------------------------------------

    /** A Converse answer; Converse names neither the answer nor the model, so the caller supplies both. */
    public static ChatResponse response(byte[] bytes, String id, String model, long created)
            throws MalformedUpstreamException {
        JsonNode body = WireJson.parse(bytes, "the answer");
        JsonNode content = body.path("output").path("message").path("content");
        if (!content.isArray()) {
            throw new MalformedUpstreamException("the answer is not a Converse answer");
        }
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode thinkingBlocks = WireJson.NODES.arrayNode();
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode block : content) {
            if (block.has("text")) {
                text.append(block.path("text").asText(""));
            } else if (block.has("toolUse")) {
                JsonNode use = block.get("toolUse");
                JsonNode input = use.path("input");
                calls.add(new ToolCall(use.path("toolUseId").asText(""), use.path("name").asText(""),
                        WireJson.text(input.isMissingNode() || input.isNull() ? WireJson.NODES.objectNode() : input)));
            } else if (block.has("reasoningContent")) {
                JsonNode reasoningContent = block.get("reasoningContent");
                if (reasoningContent.has("reasoningText")) {
                    JsonNode reasoningText = reasoningContent.get("reasoningText");
                    reasoning.append(reasoningText.path("text").asText(""));
                    thinkingBlocks.add(thinkingBlock(reasoningText.path("text").asText(""),
                            reasoningText.path("signature")));
                } else if (reasoningContent.has("redactedContent")) {
                    thinkingBlocks.add(redactedBlock(reasoningContent.get("redactedContent")));
                }
            }
            // citations, images and the like have no OpenAI counterpart
        }
        ChatMessage message = AnswerMessage.of(text, reasoning, calls, thinkingBlocks);
        return new ChatResponse(id, created, model,
                List.of(new Choice(0, message, finishReason(body.path("stopReason")), Extensions.NONE)),
                usage(body.path("usage")), Optional.empty(), Extensions.NONE);
    }

    /** A reasoning block in Anthropic's shape, with its signature when Bedrock gave one. */
    static ObjectNode thinkingBlock(String thinking, JsonNode signature) {
        ObjectNode block = WireJson.NODES.objectNode();
        block.put("type", "thinking");
        block.put("thinking", thinking);
        if (signature != null && signature.isTextual()) {
            block.set("signature", signature);
        }
        return block;
    }

    static ObjectNode redactedBlock(JsonNode data) {
        ObjectNode block = WireJson.NODES.objectNode();
        block.put("type", "redacted_thinking");
        block.set("data", data);
        return block;
    }

    /** Converse's stop reasons in OpenAI's words. */
    static Optional<FinishReason> finishReason(JsonNode stopReason) {
        if (stopReason == null || !stopReason.isTextual()) {
            return Optional.empty();
        }
        return Optional.of(switch (stopReason.textValue()) {
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "guardrail_intervened", "content_filtered" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP; // end_turn, stop_sequence
        });
    }

    /**
     * Converse counts cache reads and writes apart from {@code inputTokens}; the canonical prompt count includes them,
     * with each part also reported on its own.
     */
    static Optional<Usage> usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        long prompt = usage.path("inputTokens").asLong(0) + usage.path("cacheReadInputTokens").asLong(0)
                + usage.path("cacheWriteInputTokens").asLong(0);
        long output = usage.path("outputTokens").asLong(0);
        return Optional.of(new Usage(prompt, output, prompt + output, usage.path("cacheReadInputTokens").asLong(0),
                usage.path("cacheWriteInputTokens").asLong(0), 0, Extensions.NONE));
    }
}
