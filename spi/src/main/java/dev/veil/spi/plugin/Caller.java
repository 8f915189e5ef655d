package dev.veil.spi.plugin;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who sent the request, as authentication established it. Never the key or token itself. Veil creates these; a
 * plugin's tests build them with {@link #of}: the canonical constructor gains a parameter whenever a field is added.
 *
 * @param keyId the id of the key used; {@code jwt} for a caller that presented a JSON Web Token
 * @param tenant the tenant the key (or the token's tenant claim) belongs to
 * @param team the team the key (or the token's team claim) belongs to
 * @param labels the key's labels, or the claims the token issuer's config copies into labels
 * @param user the person or service behind a token, as the issuer's config names it (the subject, or a pseudonym
 *             of it); empty for a key, which names no user. Since SPI 2.5.
 */
public record Caller(String keyId, String tenant, String team, Map<String, String> labels, Optional<String> user) {
    public Caller {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(team, "team");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(user, "user");
    }

    /** A caller without a user: what a key authenticates. */
    public Caller(String keyId, String tenant, String team, Map<String, String> labels) {
        this(keyId, tenant, team, labels, Optional.empty());
    }

    /** A caller by key id, tenant and team, without labels. */
    public static Caller of(String keyId, String tenant, String team) {
        return new Caller(keyId, tenant, team, Map.of());
    }

    /** A copy with other labels. */
    public Caller withLabels(Map<String, String> newLabels) {
        return new Caller(keyId, tenant, team, newLabels, user);
    }

    /** A copy naming {@code newUser} as the user behind the request. */
    public Caller withUser(String newUser) {
        return new Caller(keyId, tenant, team, labels, Optional.of(newUser));
    }
}
