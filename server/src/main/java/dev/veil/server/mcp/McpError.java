package dev.veil.server.mcp;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A failure answered as a JSON-RPC error object: its code, a message for the client (never a secret, a tool's
 * arguments or its result), and the HTTP status the answer goes with.
 */
final class McpError extends RuntimeException {
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    /** The upstream server could not be reached, or answered with something that is not MCP. */
    static final int UPSTREAM_UNAVAILABLE = -32000;
    /** The upstream server did not answer within the timeout: the code the official SDKs use. */
    static final int REQUEST_TIMEOUT = -32001;
    /** The policy refused the call; {@code data.reasons} holds its reasons. */
    static final int POLICY_DENIED = -32003;
    /** The tool's definition changed since it was approved. */
    static final int NOT_APPROVED = -32004;
    /** The caller presented no valid credentials. */
    static final int UNAUTHORIZED = -32005;
    /** The policy engine could not decide. */
    static final int POLICY_UNAVAILABLE = -32006;
    /** Too many sessions are open. */
    static final int OVERLOADED = -32007;
    /** The client cancelled the request. */
    static final int CANCELLED = -32800;

    private final int code;
    private final int status;
    private final transient Optional<JsonNode> data;

    McpError(int code, int status, String message) {
        this(code, status, message, Optional.empty());
    }

    McpError(int code, int status, String message, Optional<JsonNode> data) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.data = data;
    }

    /** An error in answer to a well-formed request: HTTP 200, as any JSON-RPC response. */
    static McpError of(int code, String message) {
        return new McpError(code, 200, message);
    }

    int code() {
        return code;
    }

    int status() {
        return status;
    }

    Optional<JsonNode> data() {
        return data;
    }
}
