package dev.veil.server.codec.anthropic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;

/**
 * Turns a canonical chunk stream into Anthropic's streaming events, as they arrive: {@code message_start} (and a
 * {@code ping}) on the first chunk; {@code content_block_start}, {@code content_block_delta} ({@code text_delta},
 * {@code thinking_delta}, {@code signature_delta}, {@code input_json_delta}) and {@code content_block_stop} as content,
 * reasoning and tool-call fragments come and change kind; {@code message_delta} with the stop reason and the usage,
 * then {@code message_stop}, once the stream has ended (usage arrives last on every provider).
 *
 * <p>One instance per stream, used by one thread. Each method returns complete SSE frames to write and flush.
 */
public final class AnthropicStreamWriter {
    private enum Block { NONE, TEXT, THINKING, TOOL }

    private boolean started;
    private int nextIndex;
    private Block open = Block.NONE;
    /** The canonical tool-call index of the open tool block. */
    private int openTool = -1;
    private Optional<FinishReason> finish = Optional.empty();
    private Usage usage;

    /** The frames one chunk adds (possibly none). */
    public List<byte[]> onChunk(ChatChunk chunk) {
        List<byte[]> frames = new ArrayList<>(2);
        start(chunk, frames);
        chunk.usage().ifPresent(u -> usage = u);
        for (ChunkChoice choice : chunk.choices()) {
            if (choice.index() != 0) {
                continue; // n > 1 does not exist on this surface
            }
            delta(choice.delta(), frames);
            if (choice.finishReason().isPresent()) {
                finish = choice.finishReason();
            }
        }
        return frames;
    }

    /** The frames that end a stream that finished normally. */
    public List<byte[]> onEnd() {
        List<byte[]> frames = new ArrayList<>(3);
        if (!started) {
            start(new ChatChunk("", 0, "", List.of(), Optional.empty(), Optional.empty(),
                    dev.veil.spi.Extensions.NONE), frames);
        }
        close(frames);
        ObjectNode delta = event("message_delta");
        delta.putObject("delta").put("stop_reason", AnthropicMessages.stopReason(finish)).putNull("stop_sequence");
        delta.set("usage", AnthropicMessages.usage(usage == null ? Usage.of(0, 0) : usage, usage != null));
        frames.add(frame("message_delta", delta));
        frames.add(frame("message_stop", event("message_stop")));
        return frames;
    }

    /** The usage seen so far. */
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    /** An {@code error} event for a stream that failed after it started. */
    public static byte[] error(VeilException error, String requestId) {
        return frame("error", AnthropicMessages.error(error, requestId));
    }

    private void start(ChatChunk chunk, List<byte[]> frames) {
        if (started) {
            return;
        }
        started = true;
        ObjectNode start = event("message_start");
        ObjectNode message = start.putObject("message");
        message.put("id", AnthropicMessages.messageId(chunk.id()));
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", chunk.model());
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        // The input count arrives with the final usage; message_delta carries it.
        message.set("usage", AnthropicMessages.usage(chunk.usage().orElse(Usage.of(0, 0)), true));
        frames.add(frame("message_start", start));
        frames.add(frame("ping", event("ping")));
    }

    private void delta(Delta delta, List<byte[]> frames) {
        delta.extensions().get(AnthropicRequests.THINKING_BLOCKS).ifPresent(blocks -> thinkingBlocks(blocks, frames));
        delta.reasoningContent().filter(r -> !r.isEmpty()).ifPresent(reasoning -> {
            if (open != Block.THINKING) {
                close(frames);
                ObjectNode block = AnthropicMessages.NODES.objectNode().put("type", "thinking").put("thinking", "")
                        .put("signature", "");
                open(Block.THINKING, block, frames);
            }
            frames.add(blockDelta(AnthropicMessages.NODES.objectNode().put("type", "thinking_delta")
                    .put("thinking", reasoning)));
        });
        Optional<String> text = delta.content().filter(c -> !c.isEmpty())
                .or(() -> delta.refusal().filter(r -> !r.isEmpty()));
        text.ifPresent(content -> {
            if (open != Block.TEXT) {
                close(frames);
                open(Block.TEXT, AnthropicMessages.NODES.objectNode().put("type", "text").put("text", ""), frames);
            }
            frames.add(blockDelta(AnthropicMessages.NODES.objectNode().put("type", "text_delta")
                    .put("text", content)));
        });
        for (ToolCallDelta call : delta.toolCalls()) {
            if (open != Block.TOOL || openTool != call.index()) {
                close(frames);
                ObjectNode block = AnthropicMessages.NODES.objectNode().put("type", "tool_use")
                        .put("id", AnthropicMessages.toolUseId(call.id().orElse("")))
                        .put("name", call.name().orElse(""));
                block.putObject("input");
                open(Block.TOOL, block, frames);
                openTool = call.index();
            }
            call.arguments().filter(a -> !a.isEmpty()).ifPresent(fragment -> frames.add(blockDelta(
                    AnthropicMessages.NODES.objectNode().put("type", "input_json_delta")
                            .put("partial_json", fragment))));
        }
    }

    /** Signatures of the open thinking block, and redacted blocks, as the Anthropic adapter passes them on. */
    private void thinkingBlocks(RawJson blocks, List<byte[]> frames) {
        JsonNode array = AnthropicMessages.tree(blocks);
        if (!array.isArray()) {
            return;
        }
        for (JsonNode block : array) {
            String type = block.path("type").asText();
            if (type.equals("redacted_thinking")) {
                close(frames);
                open(Block.THINKING, block.deepCopy(), frames);
                close(frames);
            } else if (type.equals("thinking") && !block.path("signature").asText("").isEmpty()) {
                if (open != Block.THINKING) {
                    close(frames);
                    open(Block.THINKING, AnthropicMessages.NODES.objectNode().put("type", "thinking")
                            .put("thinking", "").put("signature", ""), frames);
                }
                frames.add(blockDelta(AnthropicMessages.NODES.objectNode().put("type", "signature_delta")
                        .put("signature", block.path("signature").asText())));
            }
        }
    }

    private void open(Block kind, JsonNode contentBlock, List<byte[]> frames) {
        ObjectNode start = event("content_block_start").put("index", nextIndex);
        start.set("content_block", contentBlock);
        frames.add(frame("content_block_start", start));
        open = kind;
    }

    private void close(List<byte[]> frames) {
        if (open == Block.NONE) {
            return;
        }
        frames.add(frame("content_block_stop", event("content_block_stop").put("index", nextIndex)));
        nextIndex++;
        open = Block.NONE;
        openTool = -1;
    }

    private byte[] blockDelta(ObjectNode delta) {
        ObjectNode event = event("content_block_delta").put("index", nextIndex);
        event.set("delta", delta);
        return frame("content_block_delta", event);
    }

    private static ObjectNode event(String type) {
        return AnthropicMessages.NODES.objectNode().put("type", type);
    }

    private static byte[] frame(String name, ObjectNode data) {
        return frame(name, AnthropicMessages.bytes(data));
    }

    private static byte[] frame(String name, byte[] json) {
        byte[] head = ("event: " + name + "\ndata: ").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[head.length + json.length + 2];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(json, 0, frame, head.length, json.length);
        frame[frame.length - 2] = '\n';
        frame[frame.length - 1] = '\n';
        return frame;
    }
}
