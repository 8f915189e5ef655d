package dev.veil.server.admin;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.accounting.BudgetScope;
import dev.veil.server.accounting.Metering;
import dev.veil.server.accounting.Money;
import dev.veil.server.accounting.ValueBounds;
import dev.veil.server.api.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

/**
 * {@code /admin/budgets}: setting the budget of a key, or of a team or a user of a tenant the caller manages, or (the
 * master key's) of a tenant, and listing budgets with what was spent and reserved in their current period.
 */
final class BudgetsResource {
    /**
     * The body of {@code POST /admin/budgets}: a scope ({@code key}, {@code team}, {@code user} or {@code tenant}) and
     * its terms.
     */
    record PutBudget(BudgetScope scope, BudgetTerms terms) {
        static final Binder.Shape<PutBudget> SHAPE = new Binder.Shape<>(Set.of("scope", "tenant", "team", "key_id",
                "user", "limit_usd", "soft_usd", "period"), PutBudget::bind);

        private static PutBudget bind(Binder body) {
            String kind = body.text("scope").orElseThrow(() -> body.invalid("scope", "missing; use key, team, user "
                    + "or tenant"));
            BudgetScope scope = switch (kind) {
                case "key" -> BudgetScope.key(body.text("key_id").orElseThrow(() -> body.invalid("key_id",
                        "missing; a key budget names its key")));
                case "team" -> BudgetScope.team(body.name("tenant"), body.name("team"));
                case "user" -> BudgetScope.user(body.name("tenant"), body.text("user")
                        .filter(ValueBounds::user).orElseThrow(() -> body.invalid("user", ValueBounds.userRule())));
                case "tenant" -> BudgetScope.tenant(body.name("tenant"));
                default -> throw body.invalid("scope", "must be key, team, user or tenant");
            };
            return new PutBudget(scope, BudgetTerms.bind(body));
        }
    }

    private final AdminHandlers handlers;
    private final Metering metering;

    BudgetsResource(AdminHandlers handlers, Metering metering) {
        this.handlers = handlers;
        this.metering = metering;
    }

    void routes(Routes routes) {
        routes.local(Method.POST, "/admin/budgets", handlers.change(200, Access.KEYS, "budget.set", this::put))
                .local(Method.GET, "/admin/budgets", handlers.json(200, Access.KEYS, this::list));
    }

    private AdminHandlers.Changed put(ServerRequest request, Authority authority) {
        PutBudget body = handlers.body(request, PutBudget.SHAPE);
        BudgetScope scope = body.scope();
        switch (scope.kind()) {
            case "key" -> authority.key(metering.keys(), scope.keyId());
            case "team", "user" -> authority.require(scope.tenant());
            default -> authority.requireMaster();
        }
        Optional<JsonNode> before = metering.budgets().stream()
                .filter(status -> status.spec().scope().id().equals(scope.id()))
                .<JsonNode>map(status -> AdminJson.budget(status.spec())).findFirst();
        return new AdminHandlers.Changed(AdminJson.budget(metering.putBudget(body.terms().on(scope))), before);
    }

    private JsonNode list(ServerRequest request, Authority authority) {
        Map<String, String> keyTenants = new HashMap<>();
        if (authority.tenant().isPresent()) {
            metering.keys().list().forEach(key -> keyTenants.put(key.id(), key.tenant()));
        }
        ArrayNode data = AdminJson.array();
        for (Metering.BudgetStatus status : metering.budgets()) {
            BudgetScope scope = status.spec().scope();
            if (!authority.covers(scope.kind().equals("key") ? keyTenants.getOrDefault(scope.keyId(), "")
                    : scope.tenant())) {
                continue;
            }
            ObjectNode budget = AdminJson.budget(status.spec());
            budget.put("period_start", status.periodStart().toString());
            budget.put("spent_usd", Money.usd(status.spentMicros()));
            budget.put("reserved_usd", Money.usd(Math.max(0, status.committedMicros() - status.spentMicros())));
            data.add(budget);
        }
        return AdminJson.list(data);
    }
}
