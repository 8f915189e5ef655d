package dev.veil.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The error shapes Veil answers in, checked strictly: a test says which one a path must use. */
public final class ErrorShape {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorShape() {
    }

    /** The shape for {@code path}: Anthropic's on {@code /v1/messages} and below, OpenAI's everywhere else. */
    public static boolean isAnthropicPath(String path) {
        return path.startsWith("/v1/messages");
    }

    /** Whether {@code path} is the MCP gateway's, which answers JSON-RPC error objects. */
    public static boolean isMcpPath(String path) {
        return path.equals("/mcp") || path.startsWith("/mcp/");
    }

    /** Whether {@code body} is an error in the shape {@code path} must answer in. */
    public static boolean matches(String path, String body) {
        if (isMcpPath(path)) {
            return isJsonRpc(body);
        }
        return isAnthropicPath(path) ? isAnthropic(body) : isOpenAi(body);
    }

    /** {@code {"jsonrpc":"2.0","id":...,"error":{"code","message"}}}: an integer code and a message string. */
    public static boolean isJsonRpc(String body) {
        JsonNode root = parse(body);
        JsonNode error = root == null ? null : root.get("error");
        return root != null && root.isObject() && "2.0".equals(root.path("jsonrpc").asText()) && root.has("id")
                && error != null && error.isObject() && error.path("code").isInt()
                && error.path("message").isTextual() && !error.path("message").asText().isBlank();
    }

    /** {@code {"error":{"message","type","param","code"}}}: message and type strings, param and code present. */
    public static boolean isOpenAi(String body) {
        JsonNode root = parse(body);
        JsonNode error = root == null ? null : root.get("error");
        return root != null && root.isObject() && root.size() == 1 && error != null && error.isObject()
                && error.path("message").isTextual() && !error.path("message").asText().isBlank()
                && error.path("type").isTextual() && error.has("param") && error.has("code");
    }

    /** {@code {"type":"error","error":{"type","message"}}}, with an optional {@code request_id}. */
    public static boolean isAnthropic(String body) {
        JsonNode root = parse(body);
        JsonNode error = root == null ? null : root.get("error");
        return root != null && root.isObject() && "error".equals(root.path("type").asText()) && error != null
                && error.isObject() && error.path("type").isTextual()
                && error.path("message").isTextual() && !error.path("message").asText().isBlank();
    }

    /** The {@code error} object of an OpenAI-shaped body, failing the test if the body has another shape. */
    public static JsonNode openAi(String body) {
        assertThat(isOpenAi(body)).as("an OpenAI-shaped error: %s", body).isTrue();
        return parse(body).get("error");
    }

    /** The {@code error} object of an Anthropic-shaped body, failing the test if the body has another shape. */
    public static JsonNode anthropic(String body) {
        assertThat(isAnthropic(body)).as("an Anthropic-shaped error: %s", body).isTrue();
        return parse(body).get("error");
    }

    private static JsonNode parse(String body) {
        try {
            return body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
