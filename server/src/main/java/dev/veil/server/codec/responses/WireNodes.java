package dev.veil.server.codec.responses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.veil.server.codec.translation.WireJson;

/** Tree building and SSE framing shared by the package's readers and writers. */
final class WireNodes {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private WireNodes() {
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    static TextNode text(String value) {
        return NODES.textNode(value);
    }

    static NullNode nullNode() {
        return NullNode.getInstance();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return WireJson.MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One SSE frame: {@code event: <type>}, {@code data: <json>}, a blank line. */
    static byte[] frame(String event, JsonNode data) {
        byte[] json = bytes(data);
        byte[] head = ("event: " + event + "\ndata: ").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[head.length + json.length + 2];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(json, 0, frame, head.length, json.length);
        frame[frame.length - 2] = '\n';
        frame[frame.length - 1] = '\n';
        return frame;
    }
}
