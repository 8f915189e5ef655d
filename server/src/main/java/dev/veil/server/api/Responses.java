package dev.veil.server.api;

import dev.veil.server.dispatch.Dispatched;
import io.helidon.webserver.http.ServerResponse;

/** Response headers shared by the endpoints. */
final class Responses {
    private Responses() {
    }

    /** Says which provider model answered and after how many attempts. */
    static void target(ServerResponse response, Dispatched<?> dispatched) {
        response.header(VeilHeaders.PROVIDER, dispatched.target().provider());
        response.header(VeilHeaders.MODEL, dispatched.target().model());
        response.header(VeilHeaders.ATTEMPTS, Integer.toString(dispatched.attempts()));
    }
}
