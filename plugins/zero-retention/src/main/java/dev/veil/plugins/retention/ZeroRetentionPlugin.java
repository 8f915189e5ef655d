package dev.veil.plugins.retention;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.ExchangePhase;

/**
 * Makes an exchange zero-retention when the operator's settings require it for the caller or the data, whatever the
 * client says: the client's {@code x-veil-zero-retention} header can add zero retention but never take it away, as
 * this plugin only ever sets {@link Attributes#ZERO_RETENTION} to true. What zero retention then means — only
 * providers that retain nothing, {@code store: false}, no cache — is enforced by Veil and the other plugins, which
 * read that attribute.
 *
 * <p>It records which trigger applied as {@link Attributes#ZERO_RETENTION_REASON}, a code and never the tenant,
 * label or data class itself, for the audit record.
 */
final class ZeroRetentionPlugin implements ExchangePhase {
    static final String DATA_CLASS = "data_class";

    private final RetentionSettings settings;

    ZeroRetentionPlugin(RetentionSettings settings) {
        this.settings = settings;
    }

    /** In the exchange phase, so that it holds on every surface, embeddings included. */
    @Override
    public void onExchange(Exchange exchange) {
        reason(exchange).ifPresent(reason -> {
            exchange.put(Attributes.ZERO_RETENTION, true);
            exchange.put(Attributes.ZERO_RETENTION_REASON, reason);
        });
    }

    /** The first trigger that applies, from the broadest to the narrowest. */
    private Optional<String> reason(Exchange exchange) {
        Caller caller = exchange.caller();
        if (settings.all()) {
            return Optional.of("all");
        }
        if (settings.tenants().contains(caller.tenant())) {
            return Optional.of("tenant");
        }
        if (labelled(caller.labels())) {
            return Optional.of("label");
        }
        String dataClass = exchange.metadata().get(DATA_CLASS);
        if (dataClass != null && settings.dataClasses().contains(dataClass.trim().toLowerCase(Locale.ROOT))) {
            return Optional.of("data_class");
        }
        return Optional.empty();
    }

    private boolean labelled(Map<String, String> labels) {
        for (Map.Entry<String, Set<String>> required : settings.labels().entrySet()) {
            String value = labels.get(required.getKey());
            if (value != null && required.getValue().contains(value)) {
                return true;
            }
        }
        return false;
    }
}
