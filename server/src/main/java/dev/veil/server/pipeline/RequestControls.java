package dev.veil.server.pipeline;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/** The optional {@code x-veil-*} request headers that steer Veil. */
public final class RequestControls {
    static final HeaderName METADATA = HeaderNames.create("x-veil-metadata");
    static final HeaderName ZERO_RETENTION = HeaderNames.create("x-veil-zero-retention");
    static final HeaderName CACHE = HeaderNames.create("x-veil-cache");
    static final HeaderName CONVERSATION = HeaderNames.create("x-veil-conversation-id");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ENTRIES = 64;

    private RequestControls() {
    }

    /**
     * {@code x-veil-metadata}: a JSON object of scalar values (use case, data class, ...) for policy and plugins.
     * Anything else is a 400, never silently ignored: a policy may depend on it.
     */
    public static Map<String, String> metadata(ServerRequest request) {
        Optional<String> header = request.headers().first(METADATA);
        if (header.isEmpty() || header.get().isBlank()) {
            return Map.of();
        }
        JsonNode node;
        try {
            node = JSON.readTree(header.get());
        } catch (IOException e) {
            throw invalid();
        }
        if (node == null || !node.isObject() || node.size() > MAX_ENTRIES) {
            throw invalid();
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            if (!value.isValueNode() || value.isNull()) {
                throw invalid();
            }
            metadata.put(entry.getKey(), value.asText());
        }
        return metadata;
    }

    /** {@code x-veil-zero-retention: true}: the client asks that nothing of the exchange be retained. */
    public static boolean zeroRetention(ServerRequest request) {
        Optional<String> header = request.headers().first(ZERO_RETENTION);
        if (header.isEmpty()) {
            return false;
        }
        return switch (header.get().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new VeilException(ErrorKind.INVALID_REQUEST, "the x-veil-zero-retention header must be "
                    + "true or false").withCode("invalid_zero_retention");
        };
    }

    /**
     * {@code x-veil-conversation-id}: the conversation the request belongs to, so that a placeholder stands for one
     * value across its model calls and MCP tool calls; 1 to 128 letters, digits, {@code .}, {@code _}, {@code :},
     * {@code -}, else a 400.
     */
    public static Optional<String> conversationId(ServerRequest request) {
        Optional<String> header = request.headers().first(CONVERSATION);
        if (header.isPresent() && !header.get().matches("[A-Za-z0-9._:-]{1,128}")) {
            throw new VeilException(ErrorKind.INVALID_REQUEST, "the x-veil-conversation-id header must be 1 to 128 "
                    + "letters, digits, '.', '_', ':' or '-'").withCode("invalid_conversation_id");
        }
        return header;
    }

    /**
     * {@code x-veil-cache: no-store|refresh}: the client's say over a response cache, normalized to lower case. An
     * unknown value is a 400, so that a misspelt {@code no-store} never silently caches.
     */
    static Optional<String> cache(ServerRequest request) {
        Optional<String> header = request.headers().first(CACHE);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().trim().toLowerCase(java.util.Locale.ROOT);
        if (!value.equals("no-store") && !value.equals("refresh")) {
            throw new VeilException(ErrorKind.INVALID_REQUEST, "the x-veil-cache header must be no-store or refresh")
                    .withCode("invalid_cache_control");
        }
        return Optional.of(value);
    }

    private static VeilException invalid() {
        return new VeilException(ErrorKind.INVALID_REQUEST, "the x-veil-metadata header must be a JSON object of at "
                + "most " + MAX_ENTRIES + " string, number or boolean values").withCode("invalid_metadata");
    }
}
