package dev.veil.server.api;

import dev.veil.server.pipeline.VeilHeaders;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Marks every response {@code x-veil-policy: off} when policy checks are switched off ({@code veil.opa.enabled:
 * false}), so that no client, proxy log or test can mistake an unchecked gateway for a checked one.
 */
public final class PolicyOffHeader implements Filter {
    public static final PolicyOffHeader INSTANCE = new PolicyOffHeader();

    private PolicyOffHeader() {
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        response.header(VeilHeaders.POLICY, "off");
        chain.proceed();
    }
}
