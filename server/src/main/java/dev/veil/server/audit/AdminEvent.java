package dev.veil.server.audit;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A change to Veil, or a use of the master key, as the audit chain records it: who did what to what, what it was
 * before and after, and how it ended. Before and after hold what the admin API shows of the thing (a key's record,
 * a budget), never a secret: a key's secret is never in them, nor a password or a token.
 *
 * @param requestId the change's id ({@code adm_...}), also in the admin API's {@code x-request-id} header
 * @param actor who made the change
 * @param action what was done, as {@code <thing>.<verb>}: {@code key.create}, {@code key.rotate}, {@code key.revoke},
 *               {@code budget.set}, {@code budget.delete}, {@code tenant.create}, {@code team.create},
 *               {@code config.reload}, {@code audit.rotate_key}, {@code audit.export}, {@code admin.access} (a read with
 *               the master key)
 * @param target what it was done to: ids such as {@code key_id}, {@code scope}, {@code tenant}, or the route read
 * @param before the thing before the change, when it existed
 * @param after the thing after the change, when it exists
 * @param status the HTTP status the admin API answered (or 0 for a change outside it)
 * @param outcome {@code applied}, {@code refused} or {@code failed}, with a short reason after a colon when not applied
 */
public record AdminEvent(String requestId, Actor actor, String action, Map<String, String> target,
                         Optional<Map<String, Object>> before, Optional<Map<String, Object>> after, int status,
                         String outcome) implements AuditRecord {
    private static final SecureRandom RANDOM = new SecureRandom();

    public AdminEvent {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        target = Map.copyOf(target);
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** A new id for an admin record: {@code adm_} and 24 random hex digits. */
    public static String newId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return "adm_" + HexFormat.of().formatHex(bytes);
    }

    /**
     * Who acted.
     *
     * @param via how: {@code api} (the admin API, the CLI's commands included), {@code cli} (a local command on the
     *            audit log), {@code signal} (SIGHUP) or {@code watch} (a changed config file)
     * @param keyId the key used: {@code master}, a virtual key's id, or {@code jwt} for a token
     * @param user the person behind a token, or the local user running a command
     * @param tenant the tenant the caller belongs to
     * @param role the admin role the change needed, when one was checked
     */
    public record Actor(String via, String keyId, Optional<String> user, Optional<String> tenant,
                        Optional<String> role) {
        public Actor {
            Objects.requireNonNull(via, "via");
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(role, "role");
        }

        /** Veil itself, for a change it makes on a signal or a watched file. */
        public static Actor system(String via) {
            return new Actor(via, "system", Optional.empty(), Optional.empty(), Optional.empty());
        }
    }
}
