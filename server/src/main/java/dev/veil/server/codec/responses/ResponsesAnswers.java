package dev.veil.server.codec.responses;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.codec.UpstreamError;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Delta;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolCallDelta;

/**
 * Reads what an OpenAI Responses upstream sends back into the canonical model, for a relayed exchange's audit record
 * and metering. Lenient: fields it does not need are ignored, missing ones read as empty.
 */
public final class ResponsesAnswers {
    private ResponsesAnswers() {
    }

    /**
     * A Response object as a canonical answer: its message texts, refusals, function calls and reasoning in one
     * assistant message; the finish reason from its status ({@code incomplete} for {@code max_output_tokens} is
     * {@link FinishReason#LENGTH}, for {@code content_filter} {@link FinishReason#CONTENT_FILTER}) or its calls.
     */
    public static ChatResponse read(JsonNode response) {
        StringBuilder text = new StringBuilder();
        StringBuilder refusal = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode item : response.path("output")) {
            switch (item.path("type").asText()) {
                case "message" -> {
                    for (JsonNode part : item.path("content")) {
                        switch (part.path("type").asText()) {
                            case "output_text" -> text.append(part.path("text").asText(""));
                            case "refusal" -> refusal.append(part.path("refusal").asText(""));
                            default -> {
                                // annotations-only or future part kinds carry no text to meter
                            }
                        }
                    }
                }
                case "function_call" -> calls.add(ToolCall.of(item.path("call_id").asText(""),
                        item.path("name").asText(""), item.path("arguments").asText("")));
                case "reasoning" -> reasoning.append(reasoningText(item));
                default -> {
                    // hosted tool calls (web_search_call, ...) are the provider's own work, not the answer's text
                }
            }
        }
        ChatMessage.Builder message = ChatMessage.builder(Role.ASSISTANT).toolCalls(calls);
        if (!text.isEmpty() || calls.isEmpty()) {
            message.content(List.of(ContentPart.text(text.toString())));
        }
        if (!refusal.isEmpty()) {
            message.refusal(refusal.toString());
        }
        if (!reasoning.isEmpty()) {
            message.reasoningContent(reasoning.toString());
        }
        ChatResponse.Builder answer = ChatResponse.builder(response.path("id").asText(""),
                response.path("created_at").asLong(0), response.path("model").asText(""));
        answer.choices(List.of(new Choice(0, message.build(), Optional.of(finishReason(response, !calls.isEmpty())),
                Extensions.NONE)));
        ResponsesUsage.read(response.get("usage")).ifPresent(answer::usage);
        return answer.build();
    }

    /**
     * One streaming event as a canonical chunk: text, refusal and reasoning deltas; a function call's start (from
     * {@code response.output_item.added}) and argument deltas, indexed by the call's {@code output_index}; the finish
     * reason and usage from {@code response.completed} or {@code response.incomplete}. Other events add nothing.
     *
     * @throws UpstreamErrorEvent for an {@code error} event or {@code response.failed}
     */
    public static Optional<ChatChunk> event(JsonNode event) throws UpstreamErrorEvent {
        String type = event.path("type").asText("");
        int outputIndex = event.path("output_index").asInt(0);
        return switch (type) {
            case "response.output_text.delta" -> chunk(Delta.content(event.path("delta").asText("")));
            case "response.refusal.delta" -> chunk(Delta.EMPTY.withRefusal(event.path("delta").asText("")));
            case "response.reasoning_text.delta", "response.reasoning_summary_text.delta" ->
                    chunk(Delta.EMPTY.withReasoningContent(event.path("delta").asText("")));
            case "response.output_item.added" -> {
                JsonNode item = event.path("item");
                if (!"function_call".equals(item.path("type").asText())) {
                    yield Optional.empty();
                }
                String arguments = item.path("arguments").asText("");
                yield chunk(Delta.EMPTY.withToolCalls(List.of(new ToolCallDelta(outputIndex,
                        Optional.of(item.path("call_id").asText("")), Optional.of(item.path("name").asText("")),
                        arguments.isEmpty() ? Optional.empty() : Optional.of(arguments)))));
            }
            case "response.function_call_arguments.delta" -> chunk(Delta.EMPTY.withToolCalls(List.of(
                    ToolCallDelta.continuation(outputIndex, event.path("delta").asText("")))));
            case "response.completed", "response.incomplete" -> {
                JsonNode response = event.path("response");
                boolean called = false;
                for (JsonNode item : response.path("output")) {
                    called |= "function_call".equals(item.path("type").asText());
                }
                ChatChunk.Builder chunk = ChatChunk.builder(response.path("id").asText(""),
                        response.path("created_at").asLong(0), response.path("model").asText(""))
                        .choices(List.of(ChunkChoice.of(0, Delta.EMPTY, finishReason(response, called))));
                ResponsesUsage.read(response.get("usage")).ifPresent(chunk::usage);
                yield Optional.of(chunk.build());
            }
            case "error" -> {
                JsonNode error = event.has("error") && event.get("error").isObject() ? event.get("error") : event;
                throw new UpstreamErrorEvent(new UpstreamError(error.path("message").asText(""),
                        text(error.get("type")), text(error.get("code")), text(error.get("param"))));
            }
            case "response.failed" -> {
                JsonNode error = event.path("response").path("error");
                throw new UpstreamErrorEvent(new UpstreamError(error.path("message").asText(""), Optional.empty(),
                        text(error.get("code")), Optional.empty()));
            }
            default -> Optional.empty();
        };
    }

    private static FinishReason finishReason(JsonNode response, boolean called) {
        if ("incomplete".equals(response.path("status").asText())) {
            String reason = response.path("incomplete_details").path("reason").asText("");
            if (reason.equals("content_filter")) {
                return FinishReason.CONTENT_FILTER;
            }
            return FinishReason.LENGTH;
        }
        return called ? FinishReason.TOOL_CALLS : FinishReason.STOP;
    }

    private static String reasoningText(JsonNode item) {
        StringBuilder text = new StringBuilder();
        JsonNode parts = item.path("content").isArray() && !item.path("content").isEmpty() ? item.path("content")
                : item.path("summary");
        for (JsonNode part : parts) {
            text.append(part.path("text").asText(""));
        }
        return text.toString();
    }

    private static Optional<ChatChunk> chunk(Delta delta) {
        return Optional.of(ChatChunk.builder("", 0, "").choices(List.of(ChunkChoice.of(0, delta))).build());
    }

    private static Optional<String> text(JsonNode node) {
        return node == null || !node.isTextual() ? Optional.empty() : Optional.of(node.textValue());
    }
}
