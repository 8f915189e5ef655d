package dev.veil.server.codec.anthropic;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.translation.DataUrl;
import dev.veil.server.core.UpstreamException;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.ContentPart;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.ToolCall;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;

/** Writes canonical answers and errors as Anthropic Messages JSON. */
public final class AnthropicMessages {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The error types Anthropic documents; an upstream's own type passes only when it is one of them. */
    private static final Set<String> ERROR_TYPES = Set.of("invalid_request_error", "authentication_error",
            "billing_error", "permission_error", "not_found_error", "request_too_large", "rate_limit_error",
            "api_error", "overloaded_error", "timeout_error");

    private AnthropicMessages() {
    }

    /** A complete answer as an Anthropic {@code message}; only the first choice exists on this surface. */
    public static byte[] message(ChatResponse response) {
        ObjectNode message = NODES.objectNode();
        message.put("id", messageId(response.id()));
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", response.model());
        ArrayNode content = message.putArray("content");
        Optional<FinishReason> finish = Optional.empty();
        if (!response.choices().isEmpty()) {
            ChatMessage answer = response.choices().get(0).message();
            finish = response.choices().get(0).finishReason();
            thinking(answer, content);
            for (ContentPart part : answer.content()) {
                switch (part) {
                    case ContentPart.Text text -> {
                        if (!text.text().isEmpty()) {
                            content.addObject().put("type", "text").put("text", text.text());
                        }
                    }
                    case ContentPart.Image image -> content.add(image(image));
                    case ContentPart.Other other -> content.add(tree(other.json()));
                }
            }
            answer.refusal().filter(r -> !r.isEmpty())
                    .ifPresent(refusal -> content.addObject().put("type", "text").put("text", refusal));
            for (ToolCall call : answer.toolCalls()) {
                content.addObject().put("type", "tool_use").put("id", toolUseId(call.id())).put("name", call.name())
                        .set("input", arguments(call.arguments()));
            }
        }
        message.put("stop_reason", stopReason(finish));
        message.putNull("stop_sequence");
        message.set("usage", usage(response.usage().orElse(Usage.of(0, 0)), true));
        return bytes(message);
    }

    /** The error body: {@code {"type":"error","error":{"type","message"},"request_id"}}. */
    public static byte[] error(VeilException error, String requestId) {
        ObjectNode body = NODES.objectNode();
        body.put("type", "error");
        body.putObject("error").put("type", errorType(error)).put("message", error.getMessage());
        if (requestId != null) {
            body.put("request_id", requestId);
        }
        return bytes(body);
    }

    /** The Anthropic error type for a failure, mapped once from its kind. */
    public static String errorType(VeilException error) {
        if (error.kind() == ErrorKind.INVALID_REQUEST || error.kind() == ErrorKind.NOT_FOUND
                || error.kind() == ErrorKind.RATE_LIMITED) {
            // An upstream's own rejection keeps its type when it is one Anthropic documents.
            if (ERROR_TYPES.contains(error.type())) {
                return error.type();
            }
        }
        return switch (error.kind()) {
            case INVALID_REQUEST -> error.status() == 413 ? "request_too_large" : "invalid_request_error";
            case AUTHENTICATION -> "authentication_error";
            case PERMISSION_DENIED -> "permission_error";
            case NOT_FOUND -> "not_found_error";
            case PAYLOAD_TOO_LARGE -> "request_too_large";
            case RATE_LIMITED -> "rate_limit_error";
            case UNAVAILABLE -> "overloaded_error";
            case INTERNAL, UPSTREAM, UPSTREAM_TIMEOUT -> error.getCause() instanceof UpstreamException upstream
                    && upstream.status() == 529 ? "overloaded_error" : "api_error";
        };
    }

    /** {@code {"input_tokens": n}}, the answer of {@code count_tokens}. */
    public static byte[] tokenCount(long inputTokens) {
        return bytes(NODES.objectNode().put("input_tokens", inputTokens));
    }

    // Shared with the stream writer ---------------------------------------------------------------------------------

    /** Anthropic's stop reason for a canonical finish reason; {@code end_turn} when the upstream gave none. */
    static String stopReason(Optional<FinishReason> finish) {
        return switch (finish.orElse(FinishReason.STOP)) {
            case LENGTH -> "max_tokens";
            case TOOL_CALLS, FUNCTION_CALL -> "tool_use";
            case CONTENT_FILTER -> "refusal";
            case STOP -> "end_turn";
        };
    }

    /**
     * Anthropic's usage: the canonical prompt count includes cache reads and writes, which Anthropic counts apart
     * from {@code input_tokens}.
     */
    static ObjectNode usage(Usage usage, boolean withInput) {
        ObjectNode out = NODES.objectNode();
        if (withInput) {
            long input = Math.max(0, usage.promptTokens() - usage.cachedPromptTokens()
                    - usage.cacheWritePromptTokens());
            out.put("input_tokens", input);
            out.put("cache_creation_input_tokens", usage.cacheWritePromptTokens());
            out.put("cache_read_input_tokens", usage.cachedPromptTokens());
        }
        out.put("output_tokens", usage.completionTokens());
        return out;
    }

    static String messageId(String id) {
        return id.startsWith("msg_") ? id : "msg_" + (id.isEmpty() ? randomHex() : id);
    }

    static String toolUseId(String id) {
        return id.isEmpty() ? "toolu_" + randomHex() : id;
    }

    /** A made-up id's tail: random, not a clock reading, so that two made at once still differ. */
    private static String randomHex() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /** The tool input as an object; arguments an upstream cut short are kept as a string under {@code _raw}. */
    static JsonNode arguments(String arguments) {
        if (arguments.isBlank()) {
            return NODES.objectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(arguments);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // kept below
        }
        return NODES.objectNode().put("_raw", arguments);
    }

    static JsonNode tree(RawJson json) {
        try {
            return MAPPER.readTree(json.text());
        } catch (IOException e) {
            throw new IllegalStateException("a verbatim JSON value no longer parses", e);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Thinking blocks verbatim when the provider gave them (Anthropic, with signatures), else one from the text. */
    private static void thinking(ChatMessage answer, ArrayNode content) {
        Optional<RawJson> blocks = answer.extensions().get(AnthropicRequests.THINKING_BLOCKS);
        if (blocks.isPresent()) {
            JsonNode array = tree(blocks.get());
            if (array.isArray() && !array.isEmpty()) {
                array.forEach(content::add);
                return;
            }
        }
        answer.reasoningContent().filter(r -> !r.isEmpty()).ifPresent(reasoning -> content.addObject()
                .put("type", "thinking").put("thinking", reasoning).put("signature", ""));
    }

    private static ObjectNode image(ContentPart.Image image) {
        ObjectNode block = NODES.objectNode().put("type", "image");
        ObjectNode source = block.putObject("source");
        Optional<DataUrl> inline = DataUrl.parse(image.url());
        if (inline.isPresent()) {
            source.put("type", "base64").put("media_type", inline.get().mediaType()).put("data", inline.get().base64());
        } else {
            source.put("type", "url").put("url", image.url());
        }
        return block;
    }
}
