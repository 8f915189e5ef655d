package dev.veil.server.codec.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.ObjectMappers;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseStreamEvent;

/**
 * Reads what the codec writes with the official openai-java SDK's own model classes and mapper, and validates it, so
 * that the contract is the real client's, not the codec's own idea of it.
 */
final class SdkContract {
    private static final ObjectMapper TREES = new ObjectMapper();

    private SdkContract() {
    }

    static Response response(JsonNode json) {
        try {
            return ObjectMappers.jsonMapper().readValue(TREES.writeValueAsBytes(json), Response.class).validate();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each frame as the SDK reads it: the SSE event name must be the data's type, and the data a known event. */
    static List<ResponseStreamEvent> events(List<byte[]> frames) {
        List<ResponseStreamEvent> events = new ArrayList<>(frames.size());
        for (JsonNode data : data(frames)) {
            try {
                events.add(ObjectMappers.jsonMapper().readValue(TREES.writeValueAsBytes(data),
                        ResponseStreamEvent.class).validate());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return events;
    }

    /** The data of each frame as a tree, after checking the frame's shape. */
    static List<JsonNode> data(List<byte[]> frames) {
        List<JsonNode> data = new ArrayList<>(frames.size());
        for (byte[] frame : frames) {
            String text = new String(frame, StandardCharsets.UTF_8);
            assertThat(text).startsWith("event: ").endsWith("\n\n");
            String[] lines = text.substring(0, text.length() - 2).split("\n");
            assertThat(lines).hasSize(2);
            assertThat(lines[1]).startsWith("data: ");
            try {
                JsonNode node = TREES.readTree(lines[1].substring("data: ".length()));
                assertThat(node.path("type").asText()).isEqualTo(lines[0].substring("event: ".length()));
                data.add(node);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return data;
    }

    static List<String> types(List<byte[]> frames) {
        return data(frames).stream().map(node -> node.path("type").asText()).toList();
    }
}
