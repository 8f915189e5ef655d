package dev.veil.server.dispatch;

import java.util.List;

import dev.veil.server.config.TargetRef;
import dev.veil.server.policy.Clearance;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.RawJson;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;

/**
 * What zero retention means at dispatch: only providers configured as retaining nothing may receive the request,
 * and providers that offer a storage switch are told not to store. Whoever made the exchange zero-retention — its
 * tenant, the client's header, the policy — this holds with or without a policy engine.
 */
public final class ZeroRetention {
    private static final RawJson FALSE = new RawJson("false");

    private ZeroRetention() {
    }

    /**
     * The candidates that may receive the exchange's request: all of them, or under zero retention only those whose
     * provider is {@code zero-retention: true} — none is a 403, never a silent fallback to a provider that retains.
     */
    public static Clearance eligible(Clearance cleared, Exchange exchange, ProviderRegistry providers) {
        if (!applies(exchange)) {
            return cleared;
        }
        List<TargetRef> eligible = cleared.candidates().stream().filter(providers::retainsNothing)
                .toList();
        if (eligible.isEmpty()) {
            throw new VeilException(ErrorKind.PERMISSION_DENIED, "Zero retention applies to this request, and none "
                    + "of the providers that could serve it is configured as retaining nothing (zero-retention: true "
                    + "in veil.providers); it was not sent").withCode("zero_retention_unavailable");
        }
        return cleared.narrowed(eligible);
    }

    /**
     * The request with OpenAI's {@code store: false} under zero retention, so the provider keeps no copy for its
     * dashboards or distillation. Servers that do not know the field never get it: their dialects drop it.
     */
    public static ChatRequest storeNothing(ChatRequest request, Exchange exchange) {
        return applies(exchange) ? request.withExtensions(request.extensions().with("store", FALSE)) : request;
    }

    public static boolean applies(Exchange exchange) {
        return exchange.get(Attributes.ZERO_RETENTION).orElse(false);
    }
}
