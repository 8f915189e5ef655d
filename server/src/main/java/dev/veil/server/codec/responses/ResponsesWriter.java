package dev.veil.server.codec.responses;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.translation.Thinking;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.ToolCall;
import dev.veil.spi.VeilException;

/**
 * Writes canonical answers as Responses API objects. A Response's {@code output} holds, in order, a {@code reasoning}
 * item when the answer has visible reasoning, a {@code message} item with an {@code output_text} part (and a
 * {@code refusal} part when the model refused), then one {@code function_call} item per tool call. Thinking blocks
 * a provider signed (Anthropic's, Bedrock's) ride in the reasoning item's {@code encrypted_content}, so that a later
 * turn can give them back. A finish for
 * length or by a content filter makes the Response {@code incomplete}, with that reason.
 */
public final class ResponsesWriter {
    private ResponsesWriter() {
    }

    /** A complete Response object for a finished answer; only the first choice exists on this surface. */
    public static ObjectNode response(ResponseHead head, ChatResponse answer) {
        Optional<FinishReason> finish = answer.choices().isEmpty() ? Optional.empty()
                : answer.choices().get(0).finishReason();
        Optional<String> incomplete = incompleteReason(finish);
        ObjectNode response = envelope(head, incomplete.isPresent() ? "incomplete" : "completed");
        incomplete.ifPresent(reason -> response.putObject("incomplete_details").put("reason", reason));
        ArrayNode output = response.putArray("output");
        outputItems(answer, incomplete.isPresent()).forEach(output::add);
        answer.usage().ifPresent(usage -> response.set("usage", ResponsesUsage.write(usage)));
        return response;
    }

    /**
     * The output items of an answer, with new ids, as a Response holds them and as they are stored for a later
     * {@code previous_response_id}.
     *
     * @param incomplete whether the answer was cut short, which marks its message item {@code incomplete}
     */
    public static List<ObjectNode> outputItems(ChatResponse answer, boolean incomplete) {
        List<ObjectNode> items = new ArrayList<>(2);
        if (answer.choices().isEmpty()) {
            items.add(messageItem(ResponseIds.item("msg_"), "", Optional.empty(), incomplete));
            return items;
        }
        ChatMessage message = answer.choices().get(0).message();
        String reasoning = message.reasoningContent().orElse("");
        Optional<String> blocks = message.extensions().get(Thinking.BLOCKS).map(RawJson::text)
                .filter(ResponsesWriter::isThinkingBlocks);
        if (!reasoning.isEmpty() || blocks.isPresent()) {
            ObjectNode item = reasoningItem(ResponseIds.item("rs_"), reasoning);
            blocks.ifPresent(json -> item.put("encrypted_content", json));
            items.add(item);
        }
        String text = message.text();
        Optional<String> refusal = message.refusal().filter(r -> !r.isEmpty());
        if (!text.isEmpty() || refusal.isPresent() || message.toolCalls().isEmpty()) {
            items.add(messageItem(ResponseIds.item("msg_"), text, refusal, incomplete));
        }
        for (ToolCall call : message.toolCalls()) {
            items.add(functionCallItem(ResponseIds.item("fc_"), call.id(), call.name(), call.arguments(),
                    "completed"));
        }
        return items;
    }

    /** The Response's {@code incomplete_details.reason} for a finish reason, when the answer is incomplete. */
    static Optional<String> incompleteReason(Optional<FinishReason> finish) {
        if (finish.isEmpty()) {
            return Optional.empty();
        }
        return switch (finish.get()) {
            case LENGTH -> Optional.of("max_output_tokens");
            case CONTENT_FILTER -> Optional.of("content_filter");
            default -> Optional.empty();
        };
    }

    /**
     * A Response without output or usage yet: its head, the given status, and the echoed request parameters, each
     * with OpenAI's default.
     */
    static ObjectNode envelope(ResponseHead head, String status) {
        ObjectNode response = WireNodes.object();
        response.put("id", head.id());
        response.put("object", "response");
        response.put("created_at", head.createdAt());
        response.put("status", status);
        response.putNull("error");
        response.putNull("incomplete_details");
        for (Map.Entry<String, JsonNode> field : head.echo().properties()) {
            response.set(field.getKey(), field.getValue().deepCopy());
        }
        response.put("model", head.model());
        response.putArray("output");
        response.putNull("usage");
        return response;
    }

    /** The {@code error} object of a failed Response: OpenAI's code for the failure, and its client-safe message. */
    static ObjectNode error(VeilException error) {
        return WireNodes.object().put("code", errorCode(error)).put("message", error.getMessage());
    }

    static String errorCode(VeilException error) {
        if (error.code().isPresent()) {
            return error.code().get();
        }
        if (error.kind() == ErrorKind.RATE_LIMITED) {
            return "rate_limit_exceeded";
        }
        return error.kind() == ErrorKind.INVALID_REQUEST ? "invalid_prompt" : "server_error";
    }

    static ObjectNode messageItem(String id, String text, Optional<String> refusal, boolean incomplete) {
        ObjectNode item = WireNodes.object().put("id", id).put("type", "message")
                .put("status", incomplete ? "incomplete" : "completed");
        ArrayNode content = item.putArray("content");
        if (!text.isEmpty() || refusal.isEmpty()) {
            content.add(outputText(text));
        }
        refusal.ifPresent(r -> content.add(refusalPart(r)));
        item.put("role", "assistant");
        return item;
    }

    static ObjectNode outputText(String text) {
        ObjectNode part = WireNodes.object().put("type", "output_text");
        part.putArray("annotations");
        part.putArray("logprobs");
        part.put("text", text);
        return part;
    }

    static ObjectNode refusalPart(String refusal) {
        return WireNodes.object().put("type", "refusal").put("refusal", refusal);
    }

    /**
     * Whether {@code json} is an array of Anthropic-style thinking blocks, with the signatures a provider needs back
     * in the next turn. They travel in a reasoning item's {@code encrypted_content}, the field Responses clients
     * return unchanged (and Veil stores) for exactly this purpose; OpenAI's own encrypted content is not JSON.
     */
    static boolean isThinkingBlocks(String json) {
        JsonNode blocks;
        try {
            blocks = WireJson.MAPPER.readTree(json);
        } catch (IOException e) {
            return false;
        }
        if (blocks == null || !blocks.isArray() || blocks.isEmpty()) {
            return false;
        }
        for (JsonNode block : blocks) {
            String type = block.path("type").asText();
            if (!type.equals("thinking") && !type.equals("redacted_thinking")) {
                return false;
            }
        }
        return true;
    }

    /** A reasoning item carrying the provider's raw reasoning as {@code reasoning_text}; Veil writes no summary. */
    static ObjectNode reasoningItem(String id, String reasoning) {
        ObjectNode item = WireNodes.object().put("id", id).put("type", "reasoning");
        item.putArray("summary");
        ArrayNode content = item.putArray("content");
        if (!reasoning.isEmpty()) {
            content.add(reasoningText(reasoning));
        }
        return item;
    }

    static ObjectNode reasoningText(String text) {
        return WireNodes.object().put("type", "reasoning_text").put("text", text);
    }

    static ObjectNode functionCallItem(String id, String callId, String name, String arguments, String status) {
        return WireNodes.object().put("id", id).put("type", "function_call").put("status", status)
                .put("arguments", arguments).put("call_id", callId).put("name", name);
    }
}
