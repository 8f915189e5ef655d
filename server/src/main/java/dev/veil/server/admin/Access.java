package dev.veil.server.admin;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.veil.server.auth.Principal;
import dev.veil.server.auth.Role;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * What an admin route touches, and so which roles may call it. The master key and admin-scoped keys are
 * {@link Role#ADMIN}; a token has the roles of its issuer's roles claim.
 */
enum Access {
    /** Tenants, teams, keys and budgets, read or changed: {@code admin}, {@code key-admin}. */
    KEYS(EnumSet.of(Role.ADMIN, Role.KEY_ADMIN)),
    /** Usage, read only: {@code admin}, {@code auditor}, {@code viewer}. */
    USAGE(EnumSet.of(Role.ADMIN, Role.AUDITOR, Role.VIEWER)),
    /** The audit log, read and verified: {@code admin}, {@code auditor}. */
    AUDIT(EnumSet.of(Role.ADMIN, Role.AUDITOR)),
    /** Who the caller is, and the running configuration without secrets: every admin role. */
    READ(EnumSet.allOf(Role.class)),
    /** The running configuration (plugins): {@code admin}. */
    CONFIG(EnumSet.of(Role.ADMIN));

    private final Set<Role> roles;

    Access(Set<Role> roles) {
        this.roles = roles;
    }

    /** The role of {@code principal} this access admits it by, {@code admin} first. */
    Optional<Role> granting(Principal principal) {
        if (principal.roles().contains(Role.ADMIN) && roles.contains(Role.ADMIN)) {
            return Optional.of(Role.ADMIN);
        }
        return principal.roles().stream().filter(roles::contains).sorted().findFirst();
    }

    /** Refuses, with 403 {@code role_required} naming the roles that would do, a principal holding none of them. */
    void require(Principal principal, String route) {
        for (Role role : principal.roles()) {
            if (roles.contains(role)) {
                return;
            }
        }
        String held = principal.roles().isEmpty() ? "no admin role" : "roles " + principal.roles().stream()
                .map(Role::configName).sorted().collect(Collectors.joining(", "));
        String needed = roles.stream().filter(role -> role != Role.ADMIN).map(Role::configName)
                .collect(Collectors.joining(" or "));
        throw new VeilException(ErrorKind.PERMISSION_DENIED, route + " needs role " + (needed.isEmpty() ? "admin"
                : needed + " (or admin)") + "; this token has " + held).withCode("role_required");
    }
}
