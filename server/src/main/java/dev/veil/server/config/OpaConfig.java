package dev.veil.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

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
    private static final Set<String> KEYS = Set.of("enabled", "url", "decision-path", "timeout", "fail-mode", "cache");
    private static final Set<String> CACHE_KEYS = Set.of("max-entries", "ttl");

    public OpaConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(decisionPath, "decisionPath");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
    }

    /**
     * {@code veil.opa}; empty only when it says {@code enabled: false}. A privacy gateway must not be one missing key
     * away from checking nothing, so leaving {@code veil.opa} out is a mistake, not a way to switch off.
     */
    static Optional<OpaConfig> from(ConfigReader node) {
        if (!node.exists()) {
            throw node.invalid("missing; every request is checked by OPA, so point veil.opa.url at it (./veil run "
                    + "starts one and sets VEIL_OPA_URL: write opa: {url: \"${VEIL_OPA_URL}\"}), or write "
                    + "opa: {enabled: false} to run without policy checks");
        }
        node.rejectUnknown(KEYS);
        if (!node.bool("enabled").orElse(true)) {
            Set<String> others = new TreeSet<>(node.names());
            others.remove("enabled");
            if (!others.isEmpty()) {
                throw node.invalid("enabled is false, yet " + String.join(", ", others)
                        + (others.size() == 1 ? " is" : " are") + " set; remove enabled: false to check requests, or "
                        + "the other keys to run without policy checks");
            }
            return Optional.empty();
        }
        URI url = node.url("url").orElseThrow(() -> node.invalid("url", "missing; point it at OPA, for example "
                + "http://127.0.0.1:8181, or write opa: {enabled: false} to run without policy checks"));
        String path = node.string("decision-path").orElse(DEFAULT_DECISION_PATH);
        if (!path.matches("[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*")) {
            throw node.invalid("decision-path", "'" + path + "' is not a data path; write for example veil/decision");
        }
        String failMode = node.string("fail-mode").orElse("closed");
        if (!failMode.equals("closed") && !failMode.equals("open")) {
            throw node.invalid("fail-mode", "must be closed (refuse requests OPA cannot decide) or open (serve "
                    + "them, marked), got '" + failMode + "'");
        }
        ConfigReader cache = node.get("cache").rejectUnknown(CACHE_KEYS);
        int cacheEntries = cache.integer("max-entries").orElse(cache.exists() ? 10_000 : 0);
        if (cacheEntries < 0) {
            throw cache.invalid("max-entries", "must not be negative");
        }
        return Optional.of(new OpaConfig(url, path, node.duration("timeout").orElse(DEFAULT_TIMEOUT),
                failMode.equals("open"), cacheEntries, cache.duration("ttl").orElse(Duration.ofSeconds(1))));
    }
}
