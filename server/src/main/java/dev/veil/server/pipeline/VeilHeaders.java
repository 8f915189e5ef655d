package dev.veil.server.pipeline;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/** The headers of Veil's response contract. */
public final class VeilHeaders {
    public static final HeaderName REQUEST_ID = HeaderNames.create("x-veil-request-id");
    public static final HeaderName PROVIDER = HeaderNames.create("x-veil-provider");
    public static final HeaderName MODEL = HeaderNames.create("x-veil-model");
    public static final HeaderName ATTEMPTS = HeaderNames.create("x-veil-attempts");
    public static final HeaderName DECISION_ID = HeaderNames.create("x-veil-decision-id");
    public static final HeaderName POLICY = HeaderNames.create("x-veil-policy");
    public static final HeaderName CACHE = HeaderNames.create("x-veil-cache");
    public static final HeaderName REDACTIONS = HeaderNames.create("x-veil-redactions");
    public static final HeaderName RETRY_AFTER = HeaderNames.create("Retry-After");

    private VeilHeaders() {
    }
}
