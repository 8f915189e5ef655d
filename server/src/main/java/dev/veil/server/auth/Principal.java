package dev.veil.server.auth;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.veil.server.config.AuthConfig;
import dev.veil.server.config.TargetRef;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;

/**
 * A request's authenticated principal: the {@link Caller} every stage sees, and what only authentication and the
 * admin API need besides: how the caller proved itself, the models its token allows and its admin roles.
 *
 * @param caller who asks, as metering, policy, audit and plugins see it
 * @param source what the caller presented
 * @param models the model globs a token allows; empty for "every model" (keys check their own in metering)
 * @param roles the admin roles a token carries, or that a key stands for
 * @param adminTenant the one tenant this principal administers; empty for every tenant (the master key, and a token
 *                    whose issuer maps no tenant claim)
 * @param userLimits the rate limits of the token's user, as its issuer's {@code user-limits} set them; none for keys
 */
public record Principal(Caller caller, Source source, Optional<List<String>> models, Set<Role> roles,
                        Optional<String> adminTenant, AuthConfig.UserLimits userLimits) {
    /** What a caller presented. */
    public enum Source { MASTER_KEY, VIRTUAL_KEY, JWT }

    public Principal {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(source, "source");
        models = models.map(List::copyOf);
        roles = Set.copyOf(roles);
        Objects.requireNonNull(adminTenant, "adminTenant");
        Objects.requireNonNull(userLimits, "userLimits");
    }

    /** A principal without user limits: a key's, or a token's whose issuer sets none. */
    public Principal(Caller caller, Source source, Optional<List<String>> models, Set<Role> roles,
                     Optional<String> adminTenant) {
        this(caller, source, models, roles, adminTenant, AuthConfig.UserLimits.NONE);
    }

    /**
     * Refuses, with 403 {@code model_not_allowed}, a model the token's models claim does not allow: by the virtual
     * keys' rule, a model is allowed when a glob matches its name, or every provider model it resolves to.
     *
     * @param targets what {@code model} resolves to, when it is known
     */
    public void requireModel(String model, Optional<List<TargetRef>> targets) {
        if (!mayUse(model, targets)) {
            throw new VeilException(ErrorKind.PERMISSION_DENIED, "This token may not use model '" + model
                    + "'; it may use: " + String.join(", ", models.orElseThrow())).withCode("model_not_allowed");
        }
    }

    /** Whether the token allows {@code model}; always for keys, which metering checks. */
    public boolean mayUse(String model, Optional<List<TargetRef>> targets) {
        if (models.isEmpty() || matches(model)) {
            return true;
        }
        if (targets.isEmpty() || targets.get().isEmpty()) {
            return false;
        }
        for (TargetRef target : targets.get()) {
            if (!matches(target.provider() + "/" + target.model())) {
                return false;
            }
        }
        return true;
    }

    private boolean matches(String model) {
        for (String glob : models.orElseThrow()) {
            if (glob(glob).matcher(model).matches()) {
                return true;
            }
        }
        return false;
    }

    /** A glob as virtual keys write them: {@code *} any run of characters, everything else literal. */
    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
