package dev.veil.server.accounting;

import java.util.Objects;

/**
 * What a budget limits: one key, one team of a tenant, or a whole tenant.
 *
 * @param kind {@code key}, {@code team} or {@code tenant}
 * @param tenant the tenant (for a key: empty)
 * @param team the team (only for {@code team})
 * @param keyId the key id (only for {@code key})
 */
public record BudgetScope(String kind, String tenant, String team, String keyId) {
    public BudgetScope {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(team, "team");
        Objects.requireNonNull(keyId, "keyId");
    }

    public static BudgetScope key(String keyId) {
        return new BudgetScope("key", "", "", keyId);
    }

    public static BudgetScope team(String tenant, String team) {
        return new BudgetScope("team", tenant, team, "");
    }

    public static BudgetScope tenant(String tenant) {
        return new BudgetScope("tenant", tenant, "", "");
    }

    /** A stable name, also the database key: {@code key:<id>}, {@code team:<tenant>/<team>}, {@code tenant:<t>}. */
    public String id() {
        return switch (kind) {
            case "key" -> "key:" + keyId;
            case "team" -> "team:" + tenant + "/" + team;
            default -> "tenant:" + tenant;
        };
    }

    /** How error messages and alerts name it. */
    public String describe() {
        return switch (kind) {
            case "key" -> "key " + keyId;
            case "team" -> "team '" + team + "' of tenant '" + tenant + "'";
            default -> "tenant '" + tenant + "'";
        };
    }
}
