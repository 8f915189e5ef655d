package dev.veil.server.admin;

import java.util.Optional;

import dev.veil.server.accounting.Keys;
import dev.veil.server.accounting.VirtualKey;
import dev.veil.server.auth.Principal;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * The tenants an admin caller manages: every one (the master key, a token whose issuer maps no tenant claim) or its
 * own (an admin-scoped virtual key, a token with a tenant claim).
 *
 * @param tenant the one tenant it manages; empty for all
 * @param principal who the caller is, for the records of what it does
 */
record Authority(Optional<String> tenant, Principal principal) {
    static Authority of(Principal principal) {
        return new Authority(principal.adminTenant(), principal);
    }

    boolean covers(String other) {
        return tenant.map(other::equals).orElse(true);
    }

    void require(String other) {
        if (!covers(other)) {
            throw forbidden();
        }
    }

    void requireMaster() {
        if (tenant.isPresent()) {
            throw forbidden();
        }
    }

    /** The key with {@code id} if this caller manages its tenant; a 404 otherwise, as for an unknown id. */
    VirtualKey key(Keys keys, String id) {
        return keys.find(id).filter(key -> covers(key.tenant())).orElseThrow(() -> keyNotFound(id));
    }

    /** The 404 for a key id, which it repeats only when it looks like one. */
    static VeilException keyNotFound(String id) {
        return new VeilException(ErrorKind.NOT_FOUND, "No key with id '" + (id.matches("[0-9a-f]{1,32}") ? id
                : "(invalid)") + "'").withCode("key_not_found");
    }

    private VeilException forbidden() {
        return new VeilException(ErrorKind.PERMISSION_DENIED, "This admin key or token manages tenant '"
                + tenant.orElseThrow() + "' only; tenants, tenant budgets and other tenants are for the master key or "
                + "a token without a tenant")
                .withCode("tenant_not_allowed");
    }
}
