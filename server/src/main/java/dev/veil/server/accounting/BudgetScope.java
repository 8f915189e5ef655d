package dev.veil.server.accounting;

import java.util.Objects;

/**
 * What a budget limits: one key, one team of a tenant, one user of a tenant (a token's user), or a whole tenant.
 *
 * @param kind {@code key}, {@code team}, {@code user} or {@code tenant}
 * @param tenant the tenant (for a key: empty)
 * @param team the team (only for {@code team})
 * @param keyId the key id (only for {@code key})
 * @param user the user id as callers carry it, the configured pseudonym when the issuer sets one (only for
 *             {@code user})
 */
public record BudgetScope(String kind, String tenant, String team, String keyId, String user) {
    public BudgetScope {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(team, "team");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(user, "user");
    }

    public static BudgetScope key(String keyId) {
        return new BudgetScope("key", "", "", keyId, "");
    }

    public static BudgetScope team(String tenant, String team) {
        return new BudgetScope("team", tenant, team, "", "");
    }

    public static BudgetScope user(String tenant, String user) {
        return new BudgetScope("user", tenant, "", "", user);
    }

    public static BudgetScope tenant(String tenant) {
        return new BudgetScope("tenant", tenant, "", "", "");
    }

    /**
     * A stable name, also the database key: {@code key:<id>}, {@code team:<tenant>/<team>},
     * {@code user:<tenant>/<user>}, {@code tenant:<t>}.
     */
    public String id() {
        return switch (kind) {
            case "key" -> "key:" + keyId;
            case "team" -> "team:" + tenant + "/" + team;
            case "user" -> userId(tenant, user);
            default -> "tenant:" + tenant;
        };
    }

    /** The id of the user scope of {@code user} in {@code tenant}, without building the scope. */
    static String userId(String tenant, String user) {
        return "user:" + tenant + "/" + user;
    }

    /** How error messages and alerts name it. */
    public String describe() {
        return switch (kind) {
            case "key" -> "key " + keyId;
            case "team" -> "team '" + team + "' of tenant '" + tenant + "'";
            case "user" -> "user '" + user + "' of tenant '" + tenant + "'";
            default -> "tenant '" + tenant + "'";
        };
    }
}
