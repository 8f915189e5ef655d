package dev.veil.server.mcp;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.config.AuthConfig;
import dev.veil.server.config.McpConfig;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for the MCP gateway, at
 * {@code /.well-known/oauth-protected-resource} (and {@code .../mcp}, the path-specific form): the resource's URL
 * and the JWT issuers of {@code veil.auth.jwt} as its authorization servers, so that an MCP client can find where
 * to get a token, and ask for one whose audience is this resource (RFC 8707).
 */
public final class ProtectedResource implements Handler {
    private final McpConfig config;
    private final List<String> issuers;

    public ProtectedResource(McpConfig config, AuthConfig auth) {
        this.config = config;
        this.issuers = auth.jwt().stream().map(AuthConfig.JwtIssuer::issuer).toList();
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        ObjectNode metadata = JsonRpc.NODES.objectNode();
        metadata.put("resource", config.resource().map(URI::toString).orElse(base(request, config) + "/mcp"));
        ArrayNode servers = metadata.putArray("authorization_servers");
        issuers.forEach(servers::add);
        metadata.putArray("bearer_methods_supported").add("header");
        metadata.put("resource_name", "Veil MCP gateway");
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.header(HeaderNames.CACHE_CONTROL, "max-age=300");
        response.send(JsonRpc.bytes(metadata));
    }

    /**
     * The scheme, host and port clients reach the gateway at: those of {@code veil.mcp.resource}, else the request's
     * {@code Host}.
     */
    static String base(ServerRequest request, McpConfig config) {
        if (config.resource().isPresent()) {
            URI resource = config.resource().get();
            return resource.getScheme() + "://" + resource.getRawAuthority();
        }
        String host = request.headers().first(HeaderNames.HOST).filter(h -> h.matches("[A-Za-z0-9.:\\[\\]-]{1,255}"))
                .orElse(request.localPeer().host() + ":" + request.localPeer().port());
        return (request.isSecure() ? "https" : "http") + "://" + host;
    }
}
