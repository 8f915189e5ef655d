package dev.veil.server.codec.anthropic;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamError;
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
import dev.veil.spi.ResponseFormat;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.Usage;

/**
 * Canonical chat ⇄ Anthropic Messages API ({@code POST /v1/messages}).
 *
 * <p>Requests: system and developer messages become {@code system} blocks; consecutive messages of one role are
 * merged (Anthropic requires alternation); tool results become {@code tool_result} blocks of a user turn; images
 * become {@code image} blocks with a {@code base64} or {@code url} source; a {@code cache_control} marker on a content
 * part, a message or a tool is passed on; {@code max_tokens}, which Anthropic requires, is supplied when absent.
 *
 * <p>Answers: text blocks become the content, {@code tool_use} blocks tool calls, {@code thinking} blocks
 * {@code reasoning_content}; the thinking blocks themselves (with their signatures, which Anthropic needs back in
 * the next turn of a tool-using conversation) travel as the message field {@code thinking_blocks}, the name other
 * gateways use, and are sent back as thinking blocks when a client returns them.
 */
public final class AnthropicWire {
    /** Used when the client sets no output limit; Anthropic requires one. */
    public static final int DEFAULT_MAX_TOKENS = 4096;
    private static final String CACHE_CONTROL = "cache_control";

    private AnthropicWire() {
    }

    // Requests ------------------------------------------------------------------------------------------------------

    public static ObjectNode request(ChatRequest request, String model, boolean stream) {
        ObjectNode body = WireJson.NODES.objectNode();
        body.put("model", model);
        OptionalInt budget = Thinking.budget(request);
        OptionalInt limit = request.sampling().outputTokenLimit();
        int maxTokens = limit.isPresent() ? limit.getAsInt()
                : budget.isPresent() ? budget.getAsInt() + DEFAULT_MAX_TOKENS : DEFAULT_MAX_TOKENS;
        body.put("max_tokens", maxTokens);

        ArrayNode system = WireJson.NODES.arrayNode();
        MergedTurns turns = new MergedTurns(body.putArray("messages"), "content");
        for (int i = 0; i < request.messages().size(); i++) {
            ChatMessage message = request.messages().get(i);
            String path = "messages[" + i + "]";
            if (Instructions.is(message)) {
                for (ContentPart.Text text : Instructions.nonEmptyTexts(message)) {
                    system.add(textBlock(text));
                }
                markLast(system, message.extensions());
                continue;
            }
            String role = message.role() == Role.ASSISTANT ? "assistant" : "user";
            ArrayNode blocks = WireJson.NODES.arrayNode();
            switch (message.role()) {
                case ASSISTANT -> assistantBlocks(message, blocks, path);
                case TOOL, FUNCTION -> blocks.add(toolResult(message));
                default -> contentBlocks(message.content(), blocks);
            }
            markLast(blocks, message.extensions());
            turns.add(role, blocks);
        }
        if (!system.isEmpty()) {
            body.set("system", system);
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop_sequences");
            request.stop().forEach(stop::add);
        }
        request.sampling().temperature().ifPresent(t -> body.put("temperature", t));
        request.sampling().topP().ifPresent(p -> body.put("top_p", p));
        request.extensions().get("top_k").ifPresent(k -> body.set("top_k", WireJson.tree(k)));
        request.user().ifPresent(user -> body.putObject("metadata").put("user_id", user));
        tools(request, body);
        outputFormat(request, body);
        Optional<RawJson> thinking = Thinking.anthropicThinking(request);
        if (thinking.isPresent()) {
            body.set("thinking", WireJson.tree(thinking.get()));
        } else if (budget.isPresent()) {
            body.putObject("thinking").put("type", "enabled").put("budget_tokens", budget.getAsInt());
        }
        if (stream) {
            body.put("stream", true);
        }
        // Fields of an Anthropic-surface request that Veil does not model, verbatim (see AnthropicRequests).
        request.extensions().get(AnthropicRequests.PASSTHROUGH).map(WireJson::tree)
                .filter(JsonNode::isObject).ifPresent(fields -> passthrough((ObjectNode) fields, body));
        return body;
    }

    /** Merges the passthrough fields into {@code body}; metadata joins the {@code user_id} already there. */
    private static void passthrough(ObjectNode fields, ObjectNode body) {
        ObjectNode merged = fields;
        if (fields.get("metadata") instanceof ObjectNode rest && body.get("metadata") instanceof ObjectNode written) {
            ObjectNode metadata = rest.deepCopy();
            metadata.setAll(written);
            merged = fields.deepCopy();
            merged.set("metadata", metadata);
        }
        body.setAll(merged);
    }

    private static void assistantBlocks(ChatMessage message, ArrayNode blocks, String path) {
        for (JsonNode block : Thinking.returnedBlocks(message)) {
            blocks.add(thinkingBlock(block));
        }
        contentBlocks(message.content(), blocks);
        for (int j = 0; j < message.toolCalls().size(); j++) {
            ToolCall call = message.toolCalls().get(j);
            ObjectNode use = blocks.addObject();
            use.put("type", "tool_use");
            use.put("id", call.id());
            use.put("name", call.name());
            use.set("input", WireJson.arguments(call.arguments(),
                    path + ".tool_calls[" + j + "].function.arguments"));
        }
    }

    /**
     * A JSON schema the answer must follow, as Anthropic's structured outputs ({@code output_config.format}). A bare
     * {@code json_object} has no schema to give, and Anthropic's needs one: it stays a wish the prompt must state.
     */
    private static void outputFormat(ChatRequest request, ObjectNode body) {
        if (request.responseFormat().orElse(null) instanceof ResponseFormat.JsonSchema schema
                && schema.schema().isPresent()) {
            body.putObject("output_config").putObject("format").put("type", "json_schema")
                    .set("schema", WireJson.tree(schema.schema().get()));
        }
    }

    /** A thinking block as a client returned it: only the fields Anthropic defines, so OpenAI-side additions drop. */
    private static ObjectNode thinkingBlock(JsonNode block) {
        ObjectNode copy = WireJson.NODES.objectNode();
        String type = block.path("type").asText("thinking");
        copy.put("type", type);
        if ("redacted_thinking".equals(type)) {
            copy.set("data", block.path("data"));
        } else {
            copy.put("thinking", block.path("thinking").asText(""));
            copy.set("signature", block.path("signature"));
        }
        return copy;
    }

    private static ObjectNode toolResult(ChatMessage message) {
        ObjectNode result = WireJson.NODES.objectNode();
        result.put("type", "tool_result");
        result.put("tool_use_id", message.toolCallId().or(message::name).orElse(""));
        if (message.content().size() == 1 && message.content().get(0) instanceof ContentPart.Text text
                && text.extensions().isEmpty()) {
            result.put("content", text.text());
        } else {
            ArrayNode content = result.putArray("content");
            contentBlocks(message.content(), content);
        }
        return result;
    }

    private static void contentBlocks(List<ContentPart> parts, ArrayNode blocks) {
        for (ContentPart part : parts) {
            switch (part) {
                case ContentPart.Text text -> {
                    // Anthropic rejects empty text blocks; an empty part adds nothing.
                    if (!text.text().isEmpty()) {
                        blocks.add(textBlock(text));
                    }
                }
                case ContentPart.Image image -> blocks.add(imageBlock(image));
                // Anthropic-native blocks (document, search_result, ...) pass as they are; others it rejects itself.
                case ContentPart.Other other -> blocks.add(WireJson.tree(other.json()));
            }
        }
    }

    private static ObjectNode textBlock(ContentPart.Text text) {
        ObjectNode block = WireJson.NODES.objectNode();
        block.put("type", "text");
        block.put("text", text.text());
        cacheControl(block, text.extensions());
        return block;
    }

    private static ObjectNode imageBlock(ContentPart.Image image) {
        ObjectNode block = WireJson.NODES.objectNode();
        block.put("type", "image");
        ObjectNode source = block.putObject("source");
        Optional<DataUrl> inline = DataUrl.parse(image.url());
        if (inline.isPresent()) {
            source.put("type", "base64");
            source.put("media_type", inline.get().mediaType());
            source.put("data", inline.get().base64());
        } else {
            source.put("type", "url");
            source.put("url", image.url());
        }
        cacheControl(block, image.extensions());
        return block;
    }

    private static void cacheControl(ObjectNode block, Extensions extensions) {
        extensions.get(CACHE_CONTROL).ifPresent(marker -> block.set(CACHE_CONTROL, WireJson.tree(marker)));
    }

    /** A message-level {@code cache_control} marks the message's last block, which is where Anthropic reads it. */
    private static void markLast(ArrayNode blocks, Extensions messageExtensions) {
        if (!blocks.isEmpty() && messageExtensions.get(CACHE_CONTROL).isPresent()) {
            cacheControl((ObjectNode) blocks.get(blocks.size() - 1), messageExtensions);
        }
    }

    private static void tools(ChatRequest request, ObjectNode body) {
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolDefinition tool : request.tools()) {
                ObjectNode out = tools.addObject();
                if (!tool.isFunction()) {
                    // A tool type Veil does not model, such as one of Anthropic's server tools: as it arrived.
                    out.put("type", tool.type());
                    tool.extensions().fields().forEach((name, value) -> out.set(name, WireJson.tree(value)));
                    continue;
                }
                out.put("name", tool.name());
                tool.description().ifPresent(d -> out.put("description", d));
                out.set("input_schema", tool.parameters().map(WireJson::tree)
                        .orElseGet(() -> WireJson.NODES.objectNode().put("type", "object")));
                cacheControl(out, tool.extensions());
            }
        }
        Optional<ToolChoice> choice = request.toolChoice();
        boolean serial = request.parallelToolCalls().map(parallel -> !parallel).orElse(false);
        if (choice.isEmpty() && !(serial && !request.tools().isEmpty())) {
            return;
        }
        ObjectNode out = WireJson.NODES.objectNode();
        switch (choice.orElse(new ToolChoice.Mode("auto"))) {
            case ToolChoice.Mode mode -> out.put("type", switch (mode.mode()) {
                case "required" -> "any";
                case "none" -> "none";
                default -> "auto";
            });
            case ToolChoice.Function function -> out.put("type", "tool").put("name", function.name());
            case ToolChoice.Other other -> {
                body.set("tool_choice", WireJson.tree(other.json()));
                return;
            }
        }
        if (serial && !"none".equals(out.path("type").asText())) {
            out.put("disable_parallel_tool_use", true);
        }
        body.set("tool_choice", out);
    }

    // Answers -------------------------------------------------------------------------------------------------------

    public static ChatResponse response(byte[] bytes, long created) throws MalformedUpstreamException {
        JsonNode body = WireJson.parse(bytes, "the answer");
        if (!"message".equals(body.path("type").asText()) || !body.path("content").isArray()) {
            throw new MalformedUpstreamException("the answer is not an Anthropic message");
        }
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode thinkingBlocks = WireJson.NODES.arrayNode();
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode block : body.get("content")) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText(""));
                case "thinking" -> {
                    reasoning.append(block.path("thinking").asText(""));
                    thinkingBlocks.add(block);
                }
                case "redacted_thinking" -> thinkingBlocks.add(block);
                case "tool_use" -> calls.add(new ToolCall(block.path("id").asText(""),
                        block.path("name").asText(""), WireJson.text(block.path("input"))));
                default -> {
                    // server tool blocks and the like have no OpenAI counterpart
                }
            }
        }
        ChatMessage message = AnswerMessage.of(text, reasoning, calls, thinkingBlocks);
        Optional<FinishReason> finish = finishReason(body.path("stop_reason"));
        return new ChatResponse(body.path("id").asText(""), created, body.path("model").asText(""),
                List.of(new Choice(0, message, finish, Extensions.NONE)), usage(body.path("usage")),
                Optional.empty(), Extensions.NONE);
    }

    /** Anthropic's stop reasons in OpenAI's words. */
    public static Optional<FinishReason> finishReason(JsonNode stopReason) {
        if (stopReason == null || !stopReason.isTextual()) {
            return Optional.empty();
        }
        return Optional.of(switch (stopReason.textValue()) {
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP; // end_turn, stop_sequence, pause_turn
        });
    }

    /**
     * Anthropic counts cache reads and writes apart from {@code input_tokens}; the canonical prompt count includes
     * them, with each part also reported on its own.
     */
    static Optional<Usage> usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        return Optional.of(usage(usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0),
                usage.path("cache_read_input_tokens").asLong(0), usage.path("cache_creation_input_tokens").asLong(0)));
    }

    public static Usage usage(long input, long output, long cacheRead, long cacheWrite) {
        long prompt = input + cacheRead + cacheWrite;
        return new Usage(prompt, output, prompt + output, cacheRead, cacheWrite, 0, Extensions.NONE);
    }

    /** The error of an Anthropic error body or {@code error} event: {@code {"type":"error","error":{...}}}. */
    public static Optional<UpstreamError> error(JsonNode body) {
        JsonNode error = body.path("error");
        if (!error.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamError(error.path("message").asText(""), WireJson.string(error, "type"),
                WireJson.string(error, "type"), Optional.empty()));
    }
}
