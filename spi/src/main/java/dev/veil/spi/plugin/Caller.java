package dev.veil.spi.plugin;

import java.util.Map;
import java.util.Objects;

/**
 * Who sent the request, as authentication established it. Never the key itself. Veil creates these; a plugin's tests
 * build them with {@link #of}: the canonical constructor gains a parameter whenever a field is added.
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

    /** A caller by key id, tenant and team, without labels. */
    public static Caller of(String keyId, String tenant, String team) {
        return new Caller(keyId, tenant, team, Map.of());
    }

    /** A copy with other labels. */
    public Caller withLabels(Map<String, String> newLabels) {
        return new Caller(keyId, tenant, team, newLabels);
    }
}
