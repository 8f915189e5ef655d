package dev.veil.server.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What an admin caller may do on the admin API. A token's roles come from its issuer's {@code claims.roles}; the
 * master key and an admin-scoped virtual key are {@link #ADMIN} (the key only of its own tenant).
 */
public enum Role {
    /** Everything. */
    ADMIN,
    /** Tenants, teams, keys and budgets: read and change. */
    KEY_ADMIN,
    /** Usage, and the audit log where the admin API exposes it: read only. */
    AUDITOR,
    /** Usage: read only. */
    VIEWER;

    /** The role's name in tokens and docs, such as {@code key-admin}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The role a token's role value names; empty for a value that names none of Veil's (other apps' roles). */
    public static Optional<Role> named(String value) {
        for (Role role : values()) {
            if (role.configName().equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
