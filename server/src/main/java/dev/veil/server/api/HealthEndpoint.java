package dev.veil.server.api;

import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

import dev.veil.server.pipeline.Gateway;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /health/live} and {@code GET /health/ready}, unauthenticated, for load balancers and orchestrators. */
public final class HealthEndpoint {
    private static final byte[] UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WAITING_FOR_POLICY = ("{\"status\":\"DOWN\",\"reason\":\"waiting for the policy "
            + "engine (OPA) to accept the provider catalogue\"}").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHUTTING_DOWN = "{\"status\":\"DOWN\",\"reason\":\"shutting down\"}"
            .getBytes(StandardCharsets.US_ASCII);

    private final BooleanSupplier ready;
    private final BooleanSupplier stopping;

    public HealthEndpoint(Gateway gateway) {
        this(gateway, () -> false);
    }

    /** Health that also reports not ready once {@code stopping} says the server is shutting down. */
    public HealthEndpoint(Gateway gateway, BooleanSupplier stopping) {
        this(gateway::ready, stopping);
    }

    /**
     * Health that is ready when {@code ready} says so (see {@link Gateway#ready}) and the server is not shutting
     * down, for a listener that serves whichever config is running.
     */
    public HealthEndpoint(BooleanSupplier ready, BooleanSupplier stopping) {
        this.ready = ready;
        this.stopping = stopping;
    }

    public void live(ServerRequest request, ServerResponse response) {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(UP);
    }

    /**
     * Ready once requests can be served: every provider and config check ran before the server started, and a
     * fail-closed policy engine must have the provider catalogue. Not ready from the moment shutdown begins, while
     * liveness stays up: the process is healthy, it is leaving.
     */
    public void ready(ServerRequest request, ServerResponse response) {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        if (stopping.getAsBoolean()) {
            response.status(Status.SERVICE_UNAVAILABLE_503);
            response.send(SHUTTING_DOWN);
        } else if (ready.getAsBoolean()) {
            response.send(UP);
        } else {
            response.status(Status.SERVICE_UNAVAILABLE_503);
            response.send(WAITING_FOR_POLICY);
        }
    }
}
