package dev.veil.spi.plugin;

import java.util.Map;
import java.util.Objects;

/**
 * Who sent the request, as authentication established it. Never the key itself.
 *
 * @param keyId the id of the key used
 * @param tenant the tenant the key belongs to
 * @param team the team the key belongs to
 * @param labels the key's labels
 */
public record Caller(String keyId, String tenant, String team, Map<String, String> labels) {
    public Caller {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(team, "team");
        labels = Map.copyOf(labels);
    }
}
