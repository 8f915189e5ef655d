package dev.veil.server.codec.responses;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.translation.Thinking;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.FinishReason;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;

/**
 * Turns a canonical chunk stream into the Responses API's streaming events, as OpenAI sends them:
 * {@code response.created} and {@code response.in_progress} first; per output item {@code response.output_item.added},
 * its parts' events, then {@code response.output_item.done}; {@code response.completed} (or
 * {@code response.incomplete}) with the whole Response and its usage once the stream has ended. Text is a
 * {@code message} item ({@code response.content_part.added}, {@code response.output_text.delta}/{@code .done},
 * {@code response.content_part.done}; a refusal is a {@code refusal} part with {@code response.refusal.*}); reasoning
 * is a {@code reasoning} item with a {@code reasoning_text} part ({@code response.reasoning_text.delta}/
 * {@code .done}; signed thinking blocks go into its {@code encrypted_content}, see {@link ResponsesWriter}); each
 * tool call is a {@code function_call} item ({@code response.function_call_arguments.delta}/
 * {@code .done}). Canonical streams interleave these kinds; an item closes when another kind starts. Every event
 * carries its {@code type} and a {@code sequence_number} counting from 0.
 *
 * <p>A failure after the stream has begun is an {@code error} event, not {@code response.failed}: the official SDKs
 * (Java, Python, Node) raise on a stream event whose data holds an {@code error} object and hand
 * {@code response.failed} to the application as an ordinary event, which a client written for the success path
 * ignores. The event carries the fields OpenAI's reference documents ({@code code}, {@code message},
 * {@code param}) and, as OpenAI's servers send it, the same under {@code error}.
 *
 * <p>One instance per stream, used by one thread. Each method returns complete SSE frames to write and flush.
 */
public final class ResponsesStreamWriter {
    private enum Item { NONE, MESSAGE, REASONING, TOOL }

    private enum Part { NONE, TEXT, REFUSAL }

    private final ResponseHead head;
    /** The items done, in output order. */
    private final List<ObjectNode> output = new ArrayList<>();
    /** Function call items by canonical tool-call index, to extend the arguments of a call already closed. */
    private final Map<Integer, ObjectNode> calls = new HashMap<>();
    private int sequence;
    private boolean started;
    private ObjectNode ended;

    private Item open = Item.NONE;
    private String openId;
    private int openIndex;
    private int openTool = -1;
    private String openCallId;
    private String openName;
    private final StringBuilder openText = new StringBuilder();
    private Part part = Part.NONE;
    private int contentIndex;
    private ArrayNode messageContent;
    /** The open reasoning item's signed thinking blocks, and how much of its text they cover. */
    private ArrayNode openBlocks;
    private int signedUpTo;

    private Optional<FinishReason> finish = Optional.empty();
    private Usage usage;

    public ResponsesStreamWriter(ResponseHead head) {
        this.head = head;
    }

    /** The frames one chunk adds: the opening events on the first chunk, then what its delta holds (maybe none). */
    public List<byte[]> onChunk(ChatChunk chunk) {
        List<byte[]> frames = new ArrayList<>(3);
        start(frames);
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

    /** The frames that end a stream that finished normally: the open item's end, then the final Response. */
    public List<byte[]> onEnd() {
        List<byte[]> frames = new ArrayList<>(6);
        start(frames);
        Optional<String> incomplete = ResponsesWriter.incompleteReason(finish);
        if (output.isEmpty() && open == Item.NONE) {
            // An answer with no content at all is still one (empty) message, as in a non-streamed Response.
            openMessage(frames);
            openPart(Part.TEXT, ResponsesWriter.outputText(""), frames);
        }
        close(frames, incomplete.isPresent());
        ObjectNode response = snapshot(incomplete.isPresent() ? "incomplete" : "completed");
        incomplete.ifPresent(reason -> response.putObject("incomplete_details").put("reason", reason));
        if (usage != null) {
            response.set("usage", ResponsesUsage.write(usage));
        }
        ended = response;
        String type = incomplete.isPresent() ? "response.incomplete" : "response.completed";
        frames.add(frame(event(type).set("response", response)));
        return frames;
    }

    /**
     * The {@code error} event that ends a stream which failed after it started; the Response becomes
     * {@code failed} with the same error (see {@link #finalResponse()}).
     */
    public byte[] failed(VeilException error) {
        ObjectNode response = snapshot("failed");
        response.set("error", ResponsesWriter.error(error));
        if (usage != null) {
            response.set("usage", ResponsesUsage.write(usage));
        }
        ended = response;
        return errorEvent(error, sequence++);
    }

    /**
     * An {@code error} event numbered {@code sequenceNumber}: the documented flat {@code code}, {@code message} and
     * {@code param}, and the same nested under {@code error}, which is what OpenAI sends and what the SDKs raise on.
     * On its own for a relayed stream, whose numbering is the upstream's.
     */
    public static byte[] errorEvent(VeilException error, long sequenceNumber) {
        String code = ResponsesWriter.errorCode(error);
        ObjectNode event = WireNodes.object().put("type", "error").put("sequence_number", sequenceNumber)
                .put("code", code).put("message", error.getMessage());
        ObjectNode nested = WireNodes.object().put("type", error.type()).put("code", code)
                .put("message", error.getMessage());
        if (error.param().isPresent()) {
            event.put("param", error.param().get());
            nested.put("param", error.param().get());
        } else {
            event.putNull("param");
            nested.putNull("param");
        }
        event.set("error", nested);
        return frame(event);
    }

    /**
     * The Response as it stands: completed, incomplete or failed once the stream has ended, with every output item;
     * before that, in progress with the items done so far. This is what is stored.
     */
    public ObjectNode finalResponse() {
        return ended != null ? ended.deepCopy() : snapshot("in_progress");
    }

    /** The usage seen so far. */
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    private void start(List<byte[]> frames) {
        if (started) {
            return;
        }
        started = true;
        frames.add(frame(event("response.created").set("response", ResponsesWriter.envelope(head, "in_progress"))));
        frames.add(frame(event("response.in_progress")
                .set("response", ResponsesWriter.envelope(head, "in_progress"))));
    }

    private ObjectNode snapshot(String status) {
        ObjectNode response = ResponsesWriter.envelope(head, status);
        ArrayNode items = response.putArray("output");
        output.forEach(item -> items.add(item.deepCopy()));
        return response;
    }

    private void delta(Delta delta, List<byte[]> frames) {
        delta.extensions().get(Thinking.BLOCKS).map(WireJson::tree).filter(JsonNode::isArray)
                .ifPresent(blocks -> thinkingBlocks(blocks, frames));
        delta.reasoningContent().filter(r -> !r.isEmpty()).ifPresent(reasoning -> reasoning(reasoning, frames));
        delta.content().filter(c -> !c.isEmpty()).ifPresent(text -> text(text, frames));
        delta.refusal().filter(r -> !r.isEmpty()).ifPresent(refusal -> refusal(refusal, frames));
        for (ToolCallDelta call : delta.toolCalls()) {
            toolCall(call, frames);
        }
    }

    private void reasoning(String fragment, List<byte[]> frames) {
        if (open != Item.REASONING) {
            openReasoning(frames);
        }
        openText.append(fragment);
        frames.add(frame(partEvent("response.reasoning_text.delta", 0).put("delta", fragment)));
    }

    /**
     * Signed thinking blocks join the open reasoning item's {@code encrypted_content}. A signature arrives as a block
     * without its text, at the end of the block whose text streamed as reasoning: that text is filled in.
     */
    private void thinkingBlocks(JsonNode blocks, List<byte[]> frames) {
        for (JsonNode block : blocks) {
            if (open != Item.REASONING) {
                openReasoning(frames);
            }
            ObjectNode copy = block.deepCopy();
            if ("thinking".equals(copy.path("type").asText()) && copy.path("thinking").asText("").isEmpty()) {
                copy.put("thinking", openText.substring(signedUpTo));
            }
            signedUpTo = openText.length();
            openBlocks.add(copy);
        }
    }

    private void openReasoning(List<byte[]> frames) {
        close(frames, false);
        openItem(Item.REASONING, "rs_", frames, ResponsesWriter.reasoningItem("", ""));
        frames.add(frame(partEvent("response.content_part.added", 0)
                .set("part", ResponsesWriter.reasoningText(""))));
        openBlocks = WireNodes.array();
        signedUpTo = 0;
    }

    private void text(String fragment, List<byte[]> frames) {
        if (open != Item.MESSAGE) {
            openMessage(frames);
        }
        if (part != Part.TEXT) {
            openPart(Part.TEXT, ResponsesWriter.outputText(""), frames);
        }
        openText.append(fragment);
        ObjectNode event = partEvent("response.output_text.delta", contentIndex).put("delta", fragment);
        event.putArray("logprobs");
        frames.add(frame(event));
    }

    private void refusal(String fragment, List<byte[]> frames) {
        if (open != Item.MESSAGE) {
            openMessage(frames);
        }
        if (part != Part.REFUSAL) {
            openPart(Part.REFUSAL, ResponsesWriter.refusalPart(""), frames);
        }
        openText.append(fragment);
        frames.add(frame(partEvent("response.refusal.delta", contentIndex).put("delta", fragment)));
    }

    private void toolCall(ToolCallDelta call, List<byte[]> frames) {
        ObjectNode closed = calls.get(call.index());
        if (closed != null && !(open == Item.TOOL && openTool == call.index())) {
            // No provider is known to return to a call once the next began; its arguments still count.
            call.arguments().ifPresent(fragment -> closed.put("arguments", closed.path("arguments").asText()
                    + fragment));
            return;
        }
        if (open != Item.TOOL || openTool != call.index()) {
            close(frames, false);
            openTool = call.index();
            openCallId = call.id().filter(id -> !id.isEmpty()).orElseGet(() -> ResponseIds.item("call_"));
            openName = call.name().orElse("");
            openItem(Item.TOOL, "fc_", frames,
                    ResponsesWriter.functionCallItem("", openCallId, openName, "", "in_progress"));
        }
        call.arguments().filter(a -> !a.isEmpty()).ifPresent(fragment -> {
            openText.append(fragment);
            frames.add(frame(itemEvent("response.function_call_arguments.delta").put("delta", fragment)));
        });
    }

    private void openMessage(List<byte[]> frames) {
        close(frames, false);
        ObjectNode item = WireNodes.object().put("id", "").put("type", "message").put("status", "in_progress");
        item.putArray("content");
        item.put("role", "assistant");
        openItem(Item.MESSAGE, "msg_", frames, item);
        messageContent = WireNodes.array();
        contentIndex = -1;
    }

    private void openItem(Item kind, String prefix, List<byte[]> frames, ObjectNode item) {
        open = kind;
        openId = ResponseIds.item(prefix);
        openIndex = output.size();
        openText.setLength(0);
        item.put("id", openId);
        ObjectNode event = event("response.output_item.added").put("output_index", openIndex);
        event.set("item", item);
        frames.add(frame(event));
    }

    private void openPart(Part kind, ObjectNode emptyPart, List<byte[]> frames) {
        closePart(frames);
        part = kind;
        contentIndex++;
        openText.setLength(0);
        frames.add(frame(partEvent("response.content_part.added", contentIndex).set("part", emptyPart)));
    }

    private void closePart(List<byte[]> frames) {
        String text = openText.toString();
        switch (part) {
            case TEXT -> {
                ObjectNode done = partEvent("response.output_text.done", contentIndex).put("text", text);
                done.putArray("logprobs");
                frames.add(frame(done));
                ObjectNode whole = ResponsesWriter.outputText(text);
                frames.add(frame(partEvent("response.content_part.done", contentIndex).set("part", whole)));
                messageContent.add(whole.deepCopy());
            }
            case REFUSAL -> {
                frames.add(frame(partEvent("response.refusal.done", contentIndex).put("refusal", text)));
                ObjectNode whole = ResponsesWriter.refusalPart(text);
                frames.add(frame(partEvent("response.content_part.done", contentIndex).set("part", whole)));
                messageContent.add(whole.deepCopy());
            }
            case NONE -> {
                return;
            }
        }
        part = Part.NONE;
    }

    /** Ends the open item, if any. {@code incomplete}: the answer was cut short, so a message ends incomplete. */
    private void close(List<byte[]> frames, boolean incomplete) {
        ObjectNode item;
        switch (open) {
            case NONE -> {
                return;
            }
            case MESSAGE -> {
                closePart(frames);
                item = WireNodes.object().put("id", openId).put("type", "message")
                        .put("status", incomplete ? "incomplete" : "completed");
                item.set("content", messageContent);
                item.put("role", "assistant");
            }
            case REASONING -> {
                String text = openText.toString();
                frames.add(frame(partEvent("response.reasoning_text.done", 0).put("text", text)));
                frames.add(frame(partEvent("response.content_part.done", 0)
                        .set("part", ResponsesWriter.reasoningText(text))));
                item = ResponsesWriter.reasoningItem(openId, text);
                if (!openBlocks.isEmpty()) {
                    item.put("encrypted_content", WireJson.text(openBlocks));
                }
            }
            case TOOL -> {
                String arguments = openText.toString();
                frames.add(frame(itemEvent("response.function_call_arguments.done").put("arguments", arguments)));
                item = ResponsesWriter.functionCallItem(openId, openCallId, openName, arguments, "completed");
                calls.put(openTool, item);
            }
            default -> throw new IllegalStateException();
        }
        ObjectNode done = event("response.output_item.done").put("output_index", openIndex);
        done.set("item", item.deepCopy());
        frames.add(frame(done));
        output.add(item);
        open = Item.NONE;
        openTool = -1;
        openText.setLength(0);
    }

    private ObjectNode event(String type) {
        return WireNodes.object().put("type", type).put("sequence_number", sequence++);
    }

    private ObjectNode itemEvent(String type) {
        return event(type).put("item_id", openId).put("output_index", openIndex);
    }

    private ObjectNode partEvent(String type, int index) {
        return itemEvent(type).put("content_index", index);
    }

    private static byte[] frame(ObjectNode event) {
        return WireNodes.frame(event.get("type").textValue(), event);
    }
}
