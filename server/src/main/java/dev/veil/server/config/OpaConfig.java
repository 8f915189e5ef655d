package dev.veil.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the policy engine is and how Veil treats it, from {@code veil.opa}.
 *
 * @param url OPA's base URL, such as {@code http://127.0.0.1:8181}
 * @param decisionPath the decision document's path under {@code /v1/data/}, such as {@code veil/decision}
 * @param timeout how long one decision may take
 * @param failOpen whether requests proceed (marked) when OPA cannot decide; closed, the default, refuses them
 * @param cacheEntries how many decisions to keep for identical inputs; 0, the default, keeps none
 * @param cacheTtl how long a kept decision may be reused
 */
public record OpaConfig(URI url, String decisionPath, Duration timeout, boolean failOpen, int cacheEntries,
                        Duration cacheTtl) {
    public static final String DEFAULT_DECISION_PATH = "veil/decision";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

    public OpaConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(decisionPath, "decisionPath");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
    }
}
