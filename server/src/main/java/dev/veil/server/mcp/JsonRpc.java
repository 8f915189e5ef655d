package dev.veil.server.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON-RPC 2.0 as MCP uses it: reading a message under depth and size bounds, telling requests, notifications and
 * responses apart, and writing results and errors. One instance per bound; safe to share.
 */
final class JsonRpc {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper WRITER = new ObjectMapper();

    private final ObjectMapper reader;
    private final int maxDepth;

    /** What a message is. */
    enum Kind { REQUEST, NOTIFICATION, RESPONSE }

    /**
     * One JSON-RPC message.
     *
     * @param kind what it is
     * @param id its id, for a request or a response
     * @param method its method, for a request or a notification
     * @param params its params, an empty object when it has none
     * @param body the whole message
     */
    record Message(Kind kind, Optional<JsonNode> id, String method, ObjectNode params, ObjectNode body) {
    }

    JsonRpc(int maxDepth) {
        this.maxDepth = maxDepth;
        this.reader = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(maxDepth).build()).build()).build();
    }

    /** The JSON document in {@code bytes}: -32700 when it is not JSON, -32600 when nested deeper than allowed. */
    JsonNode parse(byte[] bytes) {
        try {
            JsonNode node = reader.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new McpError(McpError.PARSE_ERROR, 400, "Parse error: the body is empty; send one JSON-RPC "
                        + "message");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new McpError(McpError.INVALID_REQUEST, 400, "Invalid Request: the message is nested deeper than "
                    + maxDepth + " levels (veil.mcp.max-json-depth)");
        } catch (IOException e) {
            throw new McpError(McpError.PARSE_ERROR, 400, "Parse error: the body is not valid JSON");
        }
    }

    /** A message from a line or an event of an upstream server; empty when it is not one. */
    Optional<Message> upstream(String text) {
        try {
            JsonNode node = reader.readTree(text);
            return node != null && node.isObject() ? Optional.of(message(node)) : Optional.empty();
        } catch (IOException | McpError e) {
            return Optional.empty();
        }
    }

    /** {@code node} as a message: -32600 unless it is a JSON-RPC 2.0 request, notification or response. */
    static Message message(JsonNode node) {
        if (!(node instanceof ObjectNode object) || !"2.0".equals(node.path("jsonrpc").textValue())) {
            throw invalid("not a JSON-RPC 2.0 message (an object with \"jsonrpc\": \"2.0\")");
        }
        JsonNode id = object.get("id");
        if (id != null && !id.isTextual() && !id.isIntegralNumber()) {
            throw invalid("id must be a string or an integer");
        }
        JsonNode method = object.get("method");
        if (method != null) {
            if (!method.isTextual()) {
                throw invalid("method must be a string");
            }
            JsonNode params = object.get("params");
            if (params != null && !params.isObject()) {
                throw invalid("params must be an object");
            }
            ObjectNode p = params == null ? NODES.objectNode() : (ObjectNode) params;
            return new Message(id == null ? Kind.NOTIFICATION : Kind.REQUEST, Optional.ofNullable(id),
                    method.textValue(), p, object);
        }
        if (id != null && (object.has("result") || object.has("error"))) {
            return new Message(Kind.RESPONSE, Optional.of(id), "", NODES.objectNode(), object);
        }
        throw invalid("a message needs a method (request, notification) or a result or error (response)");
    }

    private static McpError invalid(String why) {
        return new McpError(McpError.INVALID_REQUEST, 400, "Invalid Request: " + why);
    }

    static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode response = NODES.objectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", id);
        response.set("result", result);
        return response;
    }

    static ObjectNode error(JsonNode id, McpError error) {
        ObjectNode response = NODES.objectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", id == null ? NODES.nullNode() : id);
        ObjectNode body = response.putObject("error");
        body.put("code", error.code());
        body.put("message", error.getMessage());
        error.data().ifPresent(data -> body.set("data", data));
        return response;
    }

    static ObjectNode request(long id, String method, ObjectNode params) {
        ObjectNode request = NODES.objectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", id);
        request.put("method", method);
        request.set("params", params);
        return request;
    }

    static ObjectNode notification(String method, ObjectNode params) {
        ObjectNode notification = NODES.objectNode();
        notification.put("jsonrpc", "2.0");
        notification.put("method", method);
        notification.set("params", params);
        return notification;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return WRITER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    static String text(JsonNode node) {
        return new String(bytes(node), StandardCharsets.UTF_8);
    }

    /**
     * The hash of a tool's definition: SHA-256 of the canonical JSON (object keys sorted, no whitespace) of its
     * name, description and input schema, as {@code sha256:<hex>}. Annotations and other fields do not count: they
     * do not tell the model what the tool does.
     */
    static String definitionHash(JsonNode tool) {
        Map<String, Object> canonical = new TreeMap<>();
        canonical.put("name", canonical(tool.path("name")));
        canonical.put("description", canonical(tool.path("description")));
        canonical.put("inputSchema", canonical(tool.path("inputSchema")));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(WRITER.writeValueAsBytes(canonical));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("SHA-256 of a JSON tree", e);
        }
    }

    private static Object canonical(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> sorted = new TreeMap<>();
            node.properties().forEach(field -> sorted.put(field.getKey(), canonical(field.getValue())));
            return sorted;
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>();
            node.forEach(item -> items.add(canonical(item)));
            return items;
        }
        return node.isMissingNode() ? null : node;
    }
}
