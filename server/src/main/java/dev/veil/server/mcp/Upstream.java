package dev.veil.server.mcp;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.config.McpConfig;

/**
 * One upstream MCP server as Veil's client of it: one session shared by every client of the gateway. Request ids and
 * progress tokens are Veil's own upstream, so that clients' ids cannot collide; a progress notification is routed
 * back to the call whose token it names, with the client's token restored.
 */
abstract class Upstream implements AutoCloseable {
    /** The revision Veil asks upstream servers for; they may answer with an earlier one. */
    static final String PROTOCOL_VERSION = "2025-06-18";

    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Routed> progress = new ConcurrentHashMap<>();
    protected final McpConfig.Server config;
    protected final JsonRpc json;
    protected final int maxMessageBytes;

    private record Routed(Call call, JsonNode clientToken) {
    }

    Upstream(McpConfig.Server config, JsonRpc json, int maxMessageBytes) {
        this.config = config;
        this.json = json;
        this.maxMessageBytes = maxMessageBytes;
    }

    String name() {
        return config.name();
    }

    Duration timeout() {
        return config.timeout();
    }

    /**
     * Sends {@code method} with {@code params} and returns the response's {@code result}, within the server's
     * timeout. Progress notifications for it go to {@code call}, and cancelling {@code call} cancels it upstream.
     *
     * @throws McpError the upstream's own error, {@link McpError#REQUEST_TIMEOUT} past the timeout, or
     *                  {@link McpError#UPSTREAM_UNAVAILABLE} when it cannot be reached or does not speak MCP
     */
    final JsonNode call(String method, ObjectNode params, Call call) {
        long id = ids.incrementAndGet();
        ObjectNode sent = params.deepCopy();
        Optional<String> token = Optional.empty();
        JsonNode clientToken = params.path("_meta").get("progressToken");
        if (clientToken != null && (clientToken.isTextual() || clientToken.isIntegralNumber())) {
            String veilToken = "veil-" + config.name() + "-" + id;
            ((ObjectNode) sent.get("_meta")).put("progressToken", veilToken);
            progress.put(veilToken, new Routed(call, clientToken));
            token = Optional.of(veilToken);
        }
        try {
            return send(id, method, sent, call, System.nanoTime() + config.timeout().toNanos());
        } finally {
            token.ifPresent(progress::remove);
        }
    }

    /** Sends a notification; failures are the caller's to ignore. */
    abstract void notify(String method, ObjectNode params);

    /**
     * The exchange itself.
     *
     * @param deadline {@link System#nanoTime()} by which the result must be there
     */
    protected abstract JsonNode send(long id, String method, ObjectNode params, Call call, long deadline);

    /** A notification the upstream sent: progress goes to its call, anything else is dropped. */
    protected final void received(JsonRpc.Message notification) {
        if (!"notifications/progress".equals(notification.method())) {
            return;
        }
        JsonNode token = notification.params().get("progressToken");
        Routed routed = token == null ? null : progress.get(token.asText());
        if (routed != null) {
            ObjectNode params = notification.params().deepCopy();
            params.set("progressToken", routed.clientToken());
            routed.call().progress(params);
        }
    }

    protected final long nextId() {
        return ids.incrementAndGet();
    }

    /** The result of {@code response}, or its error as one for the client. */
    protected final JsonNode resultOf(JsonNode response) {
        JsonNode error = response.get("error");
        if (error != null) {
            int code = error.path("code").canConvertToInt() ? error.path("code").intValue() : McpError.INTERNAL_ERROR;
            String message = error.path("message").asText("error");
            if (message.length() > 1000) {
                message = message.substring(0, 1000);
            }
            return throwing(new McpError(code, 200, message, Optional.ofNullable(error.get("data"))));
        }
        JsonNode result = response.get("result");
        if (result == null || !result.isObject()) {
            throw unavailable("answered a response without a result object");
        }
        return result;
    }

    private static JsonNode throwing(McpError error) {
        throw error;
    }

    protected final ObjectNode initializeParams() {
        ObjectNode params = JsonRpc.NODES.objectNode();
        params.put("protocolVersion", PROTOCOL_VERSION);
        params.putObject("capabilities");
        ObjectNode info = params.putObject("clientInfo");
        info.put("name", "veil");
        info.put("version", Optional.ofNullable(Upstream.class.getPackage().getImplementationVersion())
                .orElse("dev"));
        return params;
    }

    protected final McpError unavailable(String why) {
        return McpError.of(McpError.UPSTREAM_UNAVAILABLE, "MCP server '" + config.name() + "' " + why);
    }

    protected final McpError timedOut() {
        return McpError.of(McpError.REQUEST_TIMEOUT, "MCP server '" + config.name() + "' did not answer within "
                + config.timeout().toMillis() + " ms (veil.mcp timeout)");
    }

    @Override
    public abstract void close();
}
