package dev.veil.server.accounting;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The range of every value Veil stores in {@code keys.db}: checked when the admin API writes it, and again when a
 * row is read back, so that no stored row can hold what a later start cannot load. Problems name the field as the
 * admin API spells it and never repeat the value.
 */
public final class ValueBounds {
    /** Tenant and team names. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Every stored time (expiry, creation, rotation, revocation) lies between these two. */
    public static final Instant EARLIEST_TIME = Instant.EPOCH;
    public static final Instant LATEST_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");
    public static final long MAX_REQUESTS_PER_MINUTE = 1_000_000_000L;
    public static final long MAX_TOKENS_PER_MINUTE = 1_000_000_000_000L;
    /** The largest budget amount, in US dollars. */
    public static final BigDecimal MAX_USD = BigDecimal.valueOf(1_000_000_000L);
    /** {@link #MAX_USD} in micro-dollars; also the largest amount one stored spend row may hold per column. */
    public static final long MAX_MICROS = 1_000_000_000_000_000L;
    public static final int MAX_KEY_NAME_CHARS = 200;
    public static final int MAX_LABELS = 64;
    public static final int MAX_LABEL_NAME_CHARS = 128;
    public static final int MAX_LABEL_VALUE_CHARS = 1024;
    public static final int MAX_MODELS = 256;
    public static final int MAX_MODEL_CHARS = 256;
    /** User ids, as a token's user claim (or its pseudonym) gives them. */
    public static final int MAX_USER_CHARS = 256;

    static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");

    private ValueBounds() {
    }

    /**
     * What is wrong with a value.
     *
     * @param field the field as the admin API names it, such as {@code limits.rpm} or {@code labels.env}
     * @param message what the field must be, without its value
     */
    public record Problem(String field, String message) {
        /** The text of a 400: the field, then what it must be. */
        public String text() {
            return field + ": " + message;
        }
    }

    /** Whether {@code text} has no control characters (which would let it forge log lines or headers). */
    public static boolean printable(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    public static boolean inTimeRange(Instant time) {
        return !time.isBefore(EARLIEST_TIME) && !time.isAfter(LATEST_TIME);
    }

    /** What is wrong with a key the admin API is asked to store, its id aside (the store makes ids). */
    public static Optional<Problem> problem(VirtualKey key) {
        Optional<Problem> stored = storedProblem(key);
        if (stored.isPresent()) {
            return stored;
        }
        if (!printable(key.name())) {
            return problem("name", "at most " + MAX_KEY_NAME_CHARS + " characters, no control characters");
        }
        if (key.labels().size() > MAX_LABELS) {
            return problem("labels", "at most " + MAX_LABELS + " labels");
        }
        for (Map.Entry<String, String> label : key.labels().entrySet()) {
            if (label.getKey().isEmpty() || label.getKey().length() > MAX_LABEL_NAME_CHARS
                    || !printable(label.getKey())) {
                return problem("labels", "label names are 1 to " + MAX_LABEL_NAME_CHARS + " characters, no control "
                        + "characters");
            }
            if (label.getValue().length() > MAX_LABEL_VALUE_CHARS || !printable(label.getValue())) {
                return problem("labels." + label.getKey(), "at most " + MAX_LABEL_VALUE_CHARS + " characters, no "
                        + "control characters");
            }
        }
        if (key.models().size() > MAX_MODELS) {
            return problem("models", "at most " + MAX_MODELS + " entries");
        }
        for (String model : key.models()) {
            if (model.length() > MAX_MODEL_CHARS || !printable(model)) {
                return problem("models", "every entry is 1 to " + MAX_MODEL_CHARS + " characters, not blank, no "
                        + "control characters");
            }
        }
        return Optional.empty();
    }

    /**
     * What makes a stored key unusable, its id aside: what the admin API has always refused, and any number or time
     * out of range. The bounds on the size and characters of names, labels and models that came later are checked
     * on writes only, so that keys stored before them keep working.
     */
    static Optional<Problem> storedProblem(VirtualKey key) {
        if (key.name().length() > MAX_KEY_NAME_CHARS) {
            return problem("name", "at most " + MAX_KEY_NAME_CHARS + " characters, no control characters");
        }
        if (!NAME.matcher(key.tenant()).matches()) {
            return problem("tenant", nameRule());
        }
        if (!NAME.matcher(key.team()).matches()) {
            return problem("team", nameRule());
        }
        for (String model : key.models()) {
            if (model.isBlank()) {
                return problem("models", "every entry is 1 to " + MAX_MODEL_CHARS + " characters, not blank, no "
                        + "control characters");
            }
        }
        if (!key.scope().equals(VirtualKey.SCOPE_CHAT) && !key.scope().equals(VirtualKey.SCOPE_ADMIN)) {
            return problem("scope", "must be chat or admin");
        }
        if (key.expiresAt().filter(at -> !inTimeRange(at)).isPresent()) {
            return problem("expires_at", timeRule());
        }
        if (key.requestsPerMinute() < 0 || key.requestsPerMinute() > MAX_REQUESTS_PER_MINUTE) {
            return problem("limits.rpm", "must be a whole number from 0 (no limit) to " + MAX_REQUESTS_PER_MINUTE);
        }
        if (key.tokensPerMinute() < 0 || key.tokensPerMinute() > MAX_TOKENS_PER_MINUTE) {
            return problem("limits.tpm", "must be a whole number from 0 (no limit) to " + MAX_TOKENS_PER_MINUTE);
        }
        if (!inTimeRange(key.createdAt())) {
            return problem("created_at", timeRule());
        }
        if (key.rotatedAt().filter(at -> !inTimeRange(at)).isPresent()) {
            return problem("rotated_at", timeRule());
        }
        if (key.revokedAt().filter(at -> !inTimeRange(at)).isPresent()) {
            return problem("revoked_at", timeRule());
        }
        return Optional.empty();
    }

    /** What is wrong with a budget; fields as in a budget body ({@code limit_usd}, {@code soft_usd}, ...). */
    public static Optional<Problem> problem(BudgetSpec budget) {
        BudgetScope scope = budget.scope();
        boolean known = switch (scope.kind()) {
            case "key" -> KEY_ID.matcher(scope.keyId()).matches() && scope.tenant().isEmpty()
                    && scope.team().isEmpty() && scope.user().isEmpty();
            case "team" -> NAME.matcher(scope.tenant()).matches() && NAME.matcher(scope.team()).matches()
                    && scope.keyId().isEmpty() && scope.user().isEmpty();
            case "user" -> NAME.matcher(scope.tenant()).matches() && user(scope.user()) && scope.team().isEmpty()
                    && scope.keyId().isEmpty();
            case "tenant" -> NAME.matcher(scope.tenant()).matches() && scope.team().isEmpty()
                    && scope.keyId().isEmpty() && scope.user().isEmpty();
            default -> false;
        };
        if (!known) {
            return problem("scope", "must be a key id, a tenant's team, a tenant's user or a tenant");
        }
        if (!budget.period().equals(BudgetSpec.DAY) && !budget.period().equals(BudgetSpec.MONTH)) {
            return problem("period", "must be day or month");
        }
        if (budget.limitMicros() < 0 || budget.limitMicros() > MAX_MICROS) {
            return problem("limit_usd", usdRule());
        }
        if (budget.softMicros() < 0 || budget.softMicros() > MAX_MICROS) {
            return problem("soft_usd", usdRule());
        }
        return Optional.empty();
    }

    /** Whether {@code user} could be a caller's user id: what token verification lets through. */
    public static boolean user(String user) {
        return !user.isBlank() && user.length() <= MAX_USER_CHARS && printable(user);
    }

    /** The rule user ids follow, as error messages state it. */
    public static String userRule() {
        return "1 to " + MAX_USER_CHARS + " characters, not blank, no control characters: the user id as usage "
                + "shows it";
    }

    /** The rule tenant and team names follow, as error messages state it. */
    public static String nameRule() {
        return "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";
    }

    static String timeRule() {
        return "must be an ISO-8601 UTC time from " + EARLIEST_TIME + " to 9999-12-31T23:59:59Z";
    }

    static String usdRule() {
        return "must be a number of US dollars from 0 to " + MAX_USD.toPlainString();
    }

    private static Optional<Problem> problem(String field, String message) {
        return Optional.of(new Problem(field, message));
    }
}
