package dev.veil.server.api;

import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.plugins.PiiFindings;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;
import io.helidon.webserver.http.ServerResponse;

/** Response headers shared by the endpoints. */
final class Responses {
    private Responses() {
    }

    /**
     * Says which policy decision applied, whether the policy was skipped because OPA could not decide, and how many
     * pieces of personal data were redacted before the request left.
     */
    static void policy(ServerResponse response, Exchange exchange) {
        exchange.get(Attributes.PII_FINDINGS).ifPresent(findings -> response.header(VeilHeaders.REDACTIONS,
                Long.toString(PiiFindings.total(findings))));
        exchange.get(Attributes.POLICY_DECISION_ID).ifPresent(id -> response.header(VeilHeaders.DECISION_ID, id));
        if (exchange.get(Attributes.POLICY_FAILED_OPEN).orElse(false)) {
            response.header(VeilHeaders.POLICY, "fail-open");
        }
    }

    /** Says whether a response cache answered ({@code hit}), stored the answer ({@code miss}) or stood aside. */
    static void cache(ServerResponse response, Exchange exchange) {
        exchange.get(Attributes.CACHE_STATUS).ifPresent(status -> response.header(VeilHeaders.CACHE, status));
    }

    /** Says which provider model answered and after how many attempts. */
    static void target(ServerResponse response, Dispatched<?> dispatched) {
        response.header(VeilHeaders.PROVIDER, dispatched.target().provider());
        response.header(VeilHeaders.MODEL, dispatched.target().model());
        response.header(VeilHeaders.ATTEMPTS, Integer.toString(dispatched.attempts()));
    }
}
