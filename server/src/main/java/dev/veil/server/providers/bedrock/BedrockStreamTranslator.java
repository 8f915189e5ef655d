package dev.veil.server.providers.bedrock;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamError;
import dev.veil.server.codec.translation.StreamDeltas;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.ToolCallDelta;

/**
 * Turns ConverseStream's events into canonical chunks as they arrive: {@code messageStart} gives the role,
 * {@code contentBlockStart} a tool call's id and name, {@code contentBlockDelta} text, tool-input fragments and
 * reasoning, {@code messageStop} the finish reason, and {@code metadata} the usage, after which the stream is over.
 * {@code contentBlockStop} adds nothing; an exception message is a failure.
 */
final class BedrockStreamTranslator {

    /** An exception message in the stream, with the HTTP status Bedrock gives that exception elsewhere. */
    static final class StreamException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final transient UpstreamError error;

        StreamException(int status, UpstreamError error) {
            super(error.code().orElse("exception"), null, false, false);
            this.status = status;
            this.error = error;
        }

        int status() {
            return status;
        }

        UpstreamError error() {
            return error;
        }
    }

    private final String id;
    private final long created;
    private final String model;
    /** Converse numbers all content blocks; OpenAI numbers tool calls only. */
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
    private boolean stopped;
    private boolean ended;

    BedrockStreamTranslator(String id, long created, String model) {
        this.id = id;
        this.created = created;
        this.model = model;
    }

    /** Whether {@code messageStop} has arrived: the answer is complete, only metadata may follow. */
    boolean stopped() {
        return stopped;
    }

    /** Whether {@code metadata} has arrived after {@code messageStop}: nothing follows. */
    boolean ended() {
        return ended;
    }

    /** The chunk one message adds, or empty when it adds nothing. */
    Optional<ChatChunk> translate(EventStreamDecoder.Message message)
            throws MalformedUpstreamException, StreamException {
        String messageType = message.headers().getOrDefault(":message-type", "event");
        if ("exception".equals(messageType)) {
            throw exception(message.header(":exception-type"), message.payload());
        }
        if ("error".equals(messageType)) {
            String code = message.headers().getOrDefault(":error-code", "error");
            throw new StreamException(502, new UpstreamError(
                    message.headers().getOrDefault(":error-message", "the provider reported an error mid-stream"),
                    Optional.empty(), Optional.of(code), Optional.empty()));
        }
        String type = message.header(":event-type");
        if (type == null) {
            return Optional.empty();
        }
        return switch (type) {
            case "messageStart" -> Optional.of(chunk(StreamDeltas.ROLE, Optional.empty()));
            case "contentBlockStart" -> {
                JsonNode data = payload(message);
                yield blockStart(data.path("contentBlockIndex").asInt(0), data.path("start"));
            }
            case "contentBlockDelta" -> {
                JsonNode data = payload(message);
                yield blockDelta(data.path("contentBlockIndex").asInt(0), data.path("delta"));
            }
            case "messageStop" -> {
                stopped = true;
                Optional<FinishReason> finish = BedrockWire.finishReason(payload(message).path("stopReason"));
                yield Optional.of(chunk(Delta.EMPTY, Optional.of(finish.orElse(FinishReason.STOP))));
            }
            case "metadata" -> {
                ended = stopped;
                yield BedrockWire.usage(payload(message).path("usage")).map(usage ->
                        new ChatChunk(id, created, model, List.of(), Optional.of(usage), Optional.empty(),
                                Extensions.NONE));
            }
            default -> Optional.empty(); // contentBlockStop, and event types added later
        };
    }

    private Optional<ChatChunk> blockStart(int index, JsonNode start) {
        JsonNode use = start.path("toolUse");
        if (!use.isObject()) {
            return Optional.empty();
        }
        int toolIndex = toolIndexByBlock.size();
        toolIndexByBlock.put(index, toolIndex);
        ToolCallDelta call = new ToolCallDelta(toolIndex, Optional.of(use.path("toolUseId").asText("")),
                Optional.of(use.path("name").asText("")), Optional.of(""));
        return Optional.of(chunk(StreamDeltas.toolCall(call), Optional.empty()));
    }

    private Optional<ChatChunk> blockDelta(int index, JsonNode delta) {
        if (delta.has("text")) {
            String text = delta.path("text").asText("");
            return text.isEmpty() ? Optional.empty() : Optional.of(chunk(Delta.content(text), Optional.empty()));
        }
        if (delta.has("toolUse")) {
            Integer toolIndex = toolIndexByBlock.get(index);
            String fragment = delta.path("toolUse").path("input").asText("");
            if (toolIndex == null || fragment.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(chunk(StreamDeltas.toolCall(new ToolCallDelta(toolIndex, Optional.empty(),
                    Optional.empty(), Optional.of(fragment))), Optional.empty()));
        }
        JsonNode reasoning = delta.path("reasoningContent");
        if (reasoning.has("text")) {
            return Optional.of(chunk(StreamDeltas.reasoning(reasoning.path("text").asText("")), Optional.empty()));
        }
        if (reasoning.has("signature")) {
            return Optional.of(chunk(StreamDeltas.thinkingBlock(BedrockWire.thinkingBlock("",
                    reasoning.get("signature"))), Optional.empty()));
        }
        if (reasoning.has("redactedContent")) {
            return Optional.of(chunk(StreamDeltas.thinkingBlock(BedrockWire.redactedBlock(
                    reasoning.get("redactedContent"))), Optional.empty()));
        }
        return Optional.empty();
    }

    /**
     * An exception message: {@code throttlingException} is a 429 and {@code serviceUnavailableException} a 503, so
     * that a stream failing before its first event can still fail over; {@code validationException} is the client's.
     */
    private static StreamException exception(String type, byte[] payload) {
        String name = type == null ? "exception" : type;
        int status = switch (name) {
            case "throttlingException" -> 429;
            case "validationException" -> 400;
            case "serviceUnavailableException" -> 503;
            case "internalServerException" -> 500;
            case "modelTimeoutException" -> 408;
            default -> 502; // modelStreamErrorException and exceptions added later
        };
        String message = "";
        try {
            message = WireJson.parse(payload, "an exception event").path("message").asText("");
        } catch (MalformedUpstreamException e) {
            // an unreadable payload still names its exception type
        }
        if (message.isBlank()) {
            message = "the provider reported " + name + " mid-stream";
        }
        return new StreamException(status, new UpstreamError(message, Optional.empty(), Optional.of(name),
                Optional.empty()));
    }

    private static JsonNode payload(EventStreamDecoder.Message message) throws MalformedUpstreamException {
        return WireJson.parse(message.payload(), "a stream event");
    }

    private ChatChunk chunk(Delta delta, Optional<FinishReason> finish) {
        return new ChatChunk(id, created, model, List.of(new ChunkChoice(0, delta, finish, Extensions.NONE)),
                Optional.empty(), Optional.empty(), Extensions.NONE);
    }
}
