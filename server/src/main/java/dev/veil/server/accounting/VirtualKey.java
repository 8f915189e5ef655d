package dev.veil.server.accounting;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual key as stored and listed: everything but its secret, which Veil never keeps.
 *
 * @param id the public part of the key ({@code vk-<id>-<secret>}), what logs, usage and policy name
 * @param name a human label for listings
 * @param tenant the tenant it belongs to
 * @param team the team within the tenant
 * @param labels free labels, passed to the policy input
 * @param models globs of model names the key may ask for; empty means any
 * @param scope {@code chat}, or {@code admin} to also use {@code /admin/*}
 * @param expiresAt when it stops working, if ever
 * @param requestsPerMinute the RPM limit; 0 means none
 * @param tokensPerMinute the TPM limit; 0 means none
 * @param createdAt when it was created
 * @param rotatedAt when its secret was last replaced, if ever
 * @param revokedAt when it was revoked, if it was
 */
public record VirtualKey(String id, String name, String tenant, String team, Map<String, String> labels,
                         List<String> models, String scope, Optional<Instant> expiresAt, long requestsPerMinute,
                         long tokensPerMinute, Instant createdAt, Optional<Instant> rotatedAt,
                         Optional<Instant> revokedAt) {
    public static final String SCOPE_CHAT = "chat";
    public static final String SCOPE_ADMIN = "admin";

    public VirtualKey {
        Objects.requireNonNull(id, "id");
        labels = Map.copyOf(labels);
        models = List.copyOf(models);
    }

    public boolean admin() {
        return SCOPE_ADMIN.equals(scope);
    }

    VirtualKey revoked(Instant at) {
        return new VirtualKey(id, name, tenant, team, labels, models, scope, expiresAt, requestsPerMinute,
                tokensPerMinute, createdAt, rotatedAt, Optional.of(at));
    }

    VirtualKey rotated(Instant at) {
        return new VirtualKey(id, name, tenant, team, labels, models, scope, expiresAt, requestsPerMinute,
                tokensPerMinute, createdAt, Optional.of(at), revokedAt);
    }
}
