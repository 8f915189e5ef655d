package dev.veil.server.pipeline;

import dev.veil.server.codec.ModelNames;
import dev.veil.server.dispatch.Dispatched;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;
import io.helidon.http.HeaderName;
import io.helidon.webserver.http.ServerResponse;

/**
 * Response headers shared by the endpoints. Values that may come from a client (a {@code provider/model} target) or
 * from a plugin or OPA are written only when they are short, visible ASCII: anything else would be refused by the
 * server as the response is sent — after the provider answered and the audit recorded a 200 — or mangled.
 */
final class Responses {
    private Responses() {
    }

    /**
     * Says which policy decision applied, whether the policy was skipped because OPA could not decide, and how many
     * pieces of personal data were redacted before the request left.
     */
    static void policy(ServerResponse response, Exchange exchange) {
        exchange.get(Attributes.PII_FINDINGS).ifPresent(findings -> response.header(VeilHeaders.REDACTIONS,
                Long.toString(findings.total())));
        exchange.get(Attributes.POLICY_DECISION_ID).ifPresent(id -> safely(response, VeilHeaders.DECISION_ID, id));
        if (exchange.get(Attributes.POLICY_FAILED_OPEN).orElse(false)) {
            response.header(VeilHeaders.POLICY, "fail-open");
        }
    }

    /** Says whether a response cache answered ({@code hit}), stored the answer ({@code miss}) or stood aside. */
    static void cache(ServerResponse response, Exchange exchange) {
        exchange.get(Attributes.CACHE_STATUS).ifPresent(status -> safely(response, VeilHeaders.CACHE, status));
    }

    /** Says which provider model answered and after how many attempts. */
    static void target(ServerResponse response, Dispatched<?> dispatched) {
        safely(response, VeilHeaders.PROVIDER, dispatched.target().provider());
        safely(response, VeilHeaders.MODEL, dispatched.target().model());
        response.header(VeilHeaders.ATTEMPTS, Integer.toString(dispatched.attempts()));
    }

    /** Sets the header when {@code value} is a safe header value; leaves it out otherwise. */
    private static void safely(ServerResponse response, HeaderName name, String value) {
        if (headerSafe(value)) {
            response.header(name, value);
        }
    }

    /** 1 to {@value ModelNames#MAX_LENGTH} visible ASCII characters, with inner spaces. */
    static boolean headerSafe(String value) {
        int length = value.length();
        if (length == 0 || length > ModelNames.MAX_LENGTH || value.charAt(0) == ' '
                || value.charAt(length - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }
}
