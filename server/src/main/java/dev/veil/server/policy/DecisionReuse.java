package dev.veil.server.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a policy says about reusing its decision, from the decision's {@code cache} document: for how long, and which
 * input fields the decision does not depend on, so that a later input that differs from this one only in them gets
 * the same decision without asking OPA. The policy author vouches for {@code ignored}; a field a rule reads must not
 * be in it.
 *
 * @param ttl how long the decision may be reused (capped by {@code veil.opa.cache.max-policy-ttl})
 * @param ignored dotted paths of input fields, such as {@code request.estimated_input_tokens}
 */
public record DecisionReuse(Duration ttl, List<String> ignored) {
    private static final int MAX_IGNORED = 64;

    public DecisionReuse {
        Objects.requireNonNull(ttl, "ttl");
        ignored = List.copyOf(ignored);
    }

    /**
     * The directive in {@code cache}: {@code {"ttl_seconds": <positive number>, "ignore": [<dotted path>, ...]}};
     * empty when it is missing or malformed, so that a policy mistake never widens reuse.
     */
    static Optional<DecisionReuse> of(JsonNode cache) {
        JsonNode seconds = cache.path("ttl_seconds");
        if (!seconds.isNumber() || !(seconds.doubleValue() > 0) || seconds.doubleValue() > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        JsonNode ignore = cache.path("ignore");
        if (!ignore.isMissingNode() && !ignore.isArray() || ignore.size() > MAX_IGNORED) {
            return Optional.empty();
        }
        List<String> ignored = new ArrayList<>(ignore.size());
        for (JsonNode path : ignore) {
            if (!path.isTextual() || !path.textValue().matches("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*")) {
                return Optional.empty();
            }
            ignored.add(path.textValue());
        }
        return Optional.of(new DecisionReuse(Duration.ofNanos((long) (seconds.doubleValue() * 1e9)), ignored));
    }
}
