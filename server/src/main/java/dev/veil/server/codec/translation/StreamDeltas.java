package dev.veil.server.codec.translation;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.spi.Delta;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCallDelta;

/** The deltas a translated stream (Anthropic's, Bedrock's) turns its events into. */
public final class StreamDeltas {
    /** The first delta of an answer: the assistant's role, with empty content. */
    public static final Delta ROLE = new Delta(Optional.of(Role.ASSISTANT), Optional.of(""), Optional.empty(),
            Optional.empty(), List.of(), Extensions.NONE);

    private StreamDeltas() {
    }

    /** A piece of the model's reasoning. */
    public static Delta reasoning(String text) {
        return new Delta(Optional.empty(), Optional.empty(), Optional.of(text), Optional.empty(), List.of(),
                Extensions.NONE);
    }

    /** A tool call's start or a fragment of its arguments. */
    public static Delta toolCall(ToolCallDelta call) {
        return new Delta(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(call),
                Extensions.NONE);
    }

    /**
     * A thinking block's signature (or a redacted block) in Anthropic's shape, for the client to send back, as
     * {@link Thinking#BLOCKS}.
     */
    public static Delta thinkingBlock(JsonNode block) {
        return new Delta(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                Extensions.of(Map.of(Thinking.BLOCKS, new RawJson(WireJson.text(WireJson.NODES.arrayNode()
                        .add(block))))));
    }
}
