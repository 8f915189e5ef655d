package dev.veil.server.providers.anthropic;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamError;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.server.codec.anthropic.AnthropicWire;
import dev.veil.server.codec.translation.StreamDeltas;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.http.RelayStream;
import dev.veil.server.http.SseReader;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;

/**
 * Turns Anthropic's streaming events into canonical chunks as they arrive: {@code message_start} gives the role,
 * {@code text_delta}, {@code thinking_delta} and {@code input_json_delta} give content, reasoning and tool-call
 * argument fragments, {@code message_delta} the finish reason, and {@code message_stop} ends the stream with the
 * usage. {@code ping} and block boundaries add nothing; an {@code error} event is a failure.
 */
final class AnthropicStreamTranslator implements RelayStream.Translator {
    private final long created;
    private String id = "";
    private String model = "";
    private long inputTokens;
    private long cacheReadTokens;
    private long cacheWriteTokens;
    private long outputTokens;
    /** Anthropic numbers all content blocks; OpenAI numbers tool calls only. */
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
    private boolean ended;

    AnthropicStreamTranslator(long created) {
        this.created = created;
    }

    /** Whether {@code message_stop} has arrived. */
    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public String endEvent() {
        return "message_stop";
    }

    @Override
    public Optional<ChatChunk> translate(SseReader.Event event) throws MalformedUpstreamException, UpstreamErrorEvent {
        JsonNode data = WireJson.parse(event.data(), "a stream event");
        String type = data.path("type").asText(event.name());
        return switch (type) {
            case "message_start" -> {
                JsonNode message = data.path("message");
                id = message.path("id").asText("");
                model = message.path("model").asText("");
                JsonNode usage = message.path("usage");
                inputTokens = usage.path("input_tokens").asLong(0);
                cacheReadTokens = usage.path("cache_read_input_tokens").asLong(0);
                cacheWriteTokens = usage.path("cache_creation_input_tokens").asLong(0);
                outputTokens = usage.path("output_tokens").asLong(0);
                yield Optional.of(chunk(StreamDeltas.ROLE, Optional.empty()));
            }
            case "content_block_start" -> blockStart(data.path("index").asInt(0), data.path("content_block"));
            case "content_block_delta" -> blockDelta(data.path("index").asInt(0), data.path("delta"));
            case "message_delta" -> {
                JsonNode usage = data.path("usage");
                if (usage.has("output_tokens")) {
                    outputTokens = usage.path("output_tokens").asLong(outputTokens);
                }
                // Some servers report input counts only here; later figures win.
                inputTokens = usage.path("input_tokens").asLong(inputTokens);
                cacheReadTokens = usage.path("cache_read_input_tokens").asLong(cacheReadTokens);
                cacheWriteTokens = usage.path("cache_creation_input_tokens").asLong(cacheWriteTokens);
                Optional<FinishReason> finish = AnthropicWire.finishReason(data.path("delta").path("stop_reason"));
                yield finish.isEmpty() ? Optional.empty() : Optional.of(chunk(Delta.EMPTY, finish));
            }
            case "message_stop" -> {
                ended = true;
                Usage usage = AnthropicWire.usage(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens);
                yield Optional.of(new ChatChunk(id, created, model, List.of(), Optional.of(usage), Optional.empty(),
                        Extensions.NONE));
            }
            case "error" -> throw new UpstreamErrorEvent(AnthropicWire.error(data).orElse(
                    new UpstreamError("the provider reported an error mid-stream", Optional.empty(),
                            Optional.empty(), Optional.empty())));
            default -> Optional.empty(); // ping, content_block_stop, and event types added later
        };
    }

    private Optional<ChatChunk> blockStart(int index, JsonNode block) {
        return switch (block.path("type").asText()) {
            case "tool_use" -> {
                int toolIndex = toolIndexByBlock.size();
                toolIndexByBlock.put(index, toolIndex);
                ToolCallDelta call = new ToolCallDelta(toolIndex, Optional.of(block.path("id").asText("")),
                        Optional.of(block.path("name").asText("")), Optional.of(""));
                yield Optional.of(chunk(StreamDeltas.toolCall(call), Optional.empty()));
            }
            case "text" -> {
                String text = block.path("text").asText("");
                yield text.isEmpty() ? Optional.empty() : Optional.of(chunk(Delta.content(text), Optional.empty()));
            }
            case "redacted_thinking" -> Optional.of(chunk(StreamDeltas.thinkingBlock(block), Optional.empty()));
            default -> Optional.empty();
        };
    }

    private Optional<ChatChunk> blockDelta(int index, JsonNode delta) {
        return switch (delta.path("type").asText()) {
            case "text_delta" -> Optional.of(chunk(Delta.content(delta.path("text").asText("")), Optional.empty()));
            case "thinking_delta" -> Optional.of(chunk(StreamDeltas.reasoning(delta.path("thinking").asText("")),
                    Optional.empty()));
            case "signature_delta" -> {
                var block = WireJson.NODES.objectNode();
                block.put("type", "thinking");
                block.put("thinking", "");
                block.put("signature", delta.path("signature").asText(""));
                yield Optional.of(chunk(StreamDeltas.thinkingBlock(block), Optional.empty()));
            }
            case "input_json_delta" -> {
                Integer toolIndex = toolIndexByBlock.get(index);
                String fragment = delta.path("partial_json").asText("");
                if (toolIndex == null || fragment.isEmpty()) {
                    yield Optional.empty();
                }
                yield Optional.of(chunk(StreamDeltas.toolCall(new ToolCallDelta(toolIndex, Optional.empty(),
                        Optional.empty(), Optional.of(fragment))), Optional.empty()));
            }
            default -> Optional.empty();
        };
    }

    private ChatChunk chunk(Delta delta, Optional<FinishReason> finish) {
        return new ChatChunk(id, created, model, List.of(new ChunkChoice(0, delta, finish, Extensions.NONE)),
                Optional.empty(), Optional.empty(), Extensions.NONE);
    }
}
