package dev.veil.server.codec.translation;

import java.util.OptionalInt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.RawJson;

/**
 * The thinking budget a request asks for, in tokens. Clients of the OpenAI surface say it either with
 * {@code reasoning_effort} or with Anthropic's own {@code thinking: {"type": "enabled", "budget_tokens": N}}, which
 * arrives as an unknown field; the explicit budget wins. The thinking blocks themselves travel verbatim, in answers
 * and in the assistant messages clients send back, as the message field {@link #BLOCKS}.
 */
public final class Thinking {
    /** Budgets per effort, the same as other gateways use, so that a switch of gateway keeps costs comparable. */
    public static final int LOW = 1024;
    public static final int MEDIUM = 2048;
    public static final int HIGH = 4096;
    /** The message field carrying thinking blocks verbatim, as other gateways name it. */
    public static final String BLOCKS = "thinking_blocks";

    private Thinking() {
    }

    public static OptionalInt budget(ChatRequest request) {
        var explicit = request.extensions().get("thinking").map(WireJson::tree);
        if (explicit.isPresent()) {
            JsonNode thinking = explicit.get();
            if ("disabled".equals(thinking.path("type").asText())) {
                return OptionalInt.empty();
            }
            JsonNode budget = thinking.path("budget_tokens");
            if (budget.canConvertToInt()) {
                return OptionalInt.of(budget.intValue());
            }
        }
        return request.reasoningEffort().map(effort -> switch (effort) {
            case "low" -> OptionalInt.of(LOW);
            case "medium" -> OptionalInt.of(MEDIUM);
            case "high" -> OptionalInt.of(HIGH);
            default -> OptionalInt.empty();
        }).orElse(OptionalInt.empty());
    }

    /** The thinking blocks a client sent back on an assistant message, as {@link #BLOCKS}; none unless an array. */
    public static JsonNode returnedBlocks(ChatMessage message) {
        return message.extensions().get(BLOCKS).map(WireJson::tree).filter(JsonNode::isArray)
                .orElse(MissingNode.getInstance());
    }

    /** Whether the request carries Anthropic's own {@code thinking} object, to be forwarded as it is. */
    public static java.util.Optional<RawJson> anthropicThinking(ChatRequest request) {
        return request.extensions().get("thinking");
    }
}
