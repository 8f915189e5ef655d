package dev.veil.server.codec.translation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.spi.RawJson;
import dev.veil.spi.VeilException;

/**
 * JSON helpers shared by the adapters that translate the canonical model to another wire format (Anthropic, Gemini,
 * Bedrock). They build provider requests as trees and read provider answers as trees: those wires differ too much
 * from the canonical model for the byte-level codec of the OpenAI family to pay off.
 */
public final class WireJson {
    /** Inline images exceed Jackson's default string limit; the request and response size limits bound them. */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256)
                            .maxStringLength(Integer.MAX_VALUE).build())
                    .build())
            .build();
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private WireJson() {
    }

    /** Parses an upstream answer; anything unreadable is a {@link MalformedUpstreamException} naming no content. */
    public static JsonNode parse(byte[] body, String what) throws MalformedUpstreamException {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new MalformedUpstreamException(what + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new MalformedUpstreamException(what + " is not valid JSON");
        }
    }

    /** A verbatim value as a tree; the client's JSON was validated on arrival, so it parses. */
    public static JsonNode tree(RawJson json) {
        try {
            return MAPPER.readTree(json.text());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A tool call's arguments as the JSON object the provider wants. Empty arguments are an empty object; anything
     * else that is not a JSON object is the client's mistake, reported without echoing it.
     */
    public static ObjectNode arguments(String arguments, String param) {
        if (arguments.isBlank()) {
            return NODES.objectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(arguments);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // reported below
        }
        throw VeilException.invalidParam(param, "'" + param + "' must be a JSON object for this provider");
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The string at {@code field}, if it is one. */
    public static Optional<String> string(JsonNode parent, String field) {
        JsonNode node = parent == null ? null : parent.get(field);
        return node != null && node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
    }
}
