package dev.veil.server.admin;

import java.util.Set;

import dev.veil.server.accounting.BudgetScope;
import dev.veil.server.accounting.BudgetSpec;
import dev.veil.server.accounting.ValueBounds;

/**
 * A budget as a request body gives it, {@code {limit_usd, soft_usd, period}}, before it is put on a scope: alone in
 * {@code POST /admin/budgets}, or nested as {@code budget} in a tenant, team or key being created.
 *
 * @param period {@code day} or {@code month}
 * @param limitMicros the hard cap; 0 means none
 * @param softMicros the alert threshold; 0 means none
 */
record BudgetTerms(String period, long limitMicros, long softMicros) {
    static final Binder.Shape<BudgetTerms> SHAPE = new Binder.Shape<>(Set.of("limit_usd", "soft_usd", "period"),
            BudgetTerms::bind);
    /** How a nested budget looks, for the 400 when it is not an object. */
    static final String EXAMPLE = "{\"limit_usd\": 100, \"soft_usd\": 80, \"period\": \"month\"}";

    /** Reads the budget fields of {@code body}, which may hold others (the scope of a budget request). */
    static BudgetTerms bind(Binder body) {
        String period = body.text("period").orElse(BudgetSpec.MONTH);
        if (!period.equals(BudgetSpec.DAY) && !period.equals(BudgetSpec.MONTH)) {
            throw body.invalid("period", "must be day or month");
        }
        long limit = body.usd("limit_usd");
        long soft = body.usd("soft_usd");
        if (limit == 0 && soft == 0) {
            throw body.invalid("limit_usd", "give a hard cap, a soft_usd alert threshold, or both");
        }
        BudgetTerms terms = new BudgetTerms(period, limit, soft);
        // Any well-formed scope will do: the amounts and period are checked here, the scope's names where read.
        body.check(ValueBounds.problem(terms.on(BudgetScope.key("0000000000000000"))));
        return terms;
    }

    BudgetSpec on(BudgetScope scope) {
        return new BudgetSpec(scope, period, limitMicros, softMicros);
    }
}
