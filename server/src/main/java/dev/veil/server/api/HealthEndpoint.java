package dev.veil.server.api;

import java.nio.charset.StandardCharsets;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /health/live} and {@code GET /health/ready}, unauthenticated, for load balancers and orchestrators. */
public final class HealthEndpoint {
    private static final byte[] UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.US_ASCII);

    public void live(ServerRequest request, ServerResponse response) {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(UP);
    }

    /** Ready once routing serves requests: every provider and config check ran before the server started. */
    public void ready(ServerRequest request, ServerResponse response) {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(UP);
    }
}
