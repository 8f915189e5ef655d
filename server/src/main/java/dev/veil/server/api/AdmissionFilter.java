package dev.veil.server.api;

import java.util.concurrent.Semaphore;

import dev.veil.server.api.anthropic.AnthropicErrorResponder;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Lets at most {@code veil.limits.max-concurrent-requests} requests in at once; the excess gets a 503 in the
 * surface's own error shape with {@code Retry-After}, so clients back off and retry while Veil keeps the requests it
 * took within its file descriptors and memory. A stream holds its place until it ends; a request whose body stops
 * arriving holds it only until {@code veil.limits.body-idle-timeout} or {@code body-timeout} fails the read (a 408),
 * so slow clients cannot keep the places. Health checks are never refused: an orchestrator must see a busy Veil as
 * alive.
 */
public final class AdmissionFilter implements Filter {
    private final Semaphore places;

    public AdmissionFilter(int maxConcurrentRequests) {
        this.places = new Semaphore(maxConcurrentRequests);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        String path = request.path().path();
        if (path.startsWith("/health/")) {
            chain.proceed();
            return;
        }
        if (!places.tryAcquire()) {
            VeilException busy = new VeilException(ErrorKind.UNAVAILABLE, "Veil is serving as many requests as it "
                    + "is configured to (veil.limits.max-concurrent-requests); retry shortly").withCode("overloaded");
            response.header(VeilHeaders.RETRY_AFTER, "1");
            if (path.startsWith("/v1/messages")) {
                AnthropicErrorResponder.send(response, busy);
            } else {
                ErrorResponder.send(response, busy);
            }
            return;
        }
        try {
            chain.proceed();
        } finally {
            places.release();
        }
    }
}
