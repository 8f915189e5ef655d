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
 * @param cacheEntries how many decisions to keep (10,000 by default); 0 keeps none, even those the policy marks
 *     reusable
 * @param exactTtl how long a decision may be reused for a byte-identical input whether or not the policy marks it,
 *     when {@code cache} is configured (1 s unless {@code cache.ttl} says otherwise)
 * @param maxPolicyTtl the longest a decision the policy marks reusable is kept, whatever time the policy asks for
 */
public record OpaConfig(URI url, String decisionPath, Duration timeout, boolean failOpen, int cacheEntries,
                        Optional<Duration> exactTtl, Duration maxPolicyTtl) {
    public static final String DEFAULT_DECISION_PATH = "veil/decision";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    private static final Set<String> KEYS = Set.of("enabled", "url", "decision-path", "timeout", "fail-mode", "cache");
    private static final Set<String> CACHE_KEYS = Set.of("max-entries", "ttl", "max-policy-ttl");
    private static final int DEFAULT_CACHE_ENTRIES = 10_000;
    private static final Duration DEFAULT_EXACT_TTL = Duration.ofSeconds(1);
    private static final Duration DEFAULT_MAX_POLICY_TTL = Duration.ofMinutes(1);

    public OpaConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(decisionPath, "decisionPath");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(exactTtl, "exactTtl");
        Objects.requireNonNull(maxPolicyTtl, "maxPolicyTtl");
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
        int cacheEntries = cache.integer("max-entries").orElse(DEFAULT_CACHE_ENTRIES);
        if (cacheEntries < 0) {
            throw cache.invalid("max-entries", "must not be negative; 0 reuses no decision");
        }
        Optional<Duration> exactTtl = cache.exists()
                ? Optional.of(cache.duration("ttl").orElse(DEFAULT_EXACT_TTL)) : Optional.empty();
        Duration maxPolicyTtl = cache.duration("max-policy-ttl").orElse(DEFAULT_MAX_POLICY_TTL);
        if (exactTtl.filter(ttl -> ttl.isNegative() || ttl.isZero()).isPresent()) {
            throw cache.invalid("ttl", "must be positive, for example 1s");
        }
        if (maxPolicyTtl.isNegative()) {
            throw cache.invalid("max-policy-ttl", "must not be negative; 0s reuses no decision the policy marks");
        }
        return Optional.of(new OpaConfig(url, path, node.duration("timeout").orElse(DEFAULT_TIMEOUT),
                failMode.equals("open"), cacheEntries, exactTtl, maxPolicyTtl));
    }
}
