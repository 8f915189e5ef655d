package dev.veil.server.admin;

import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.accounting.BudgetScope;
import dev.veil.server.accounting.BudgetSpec;
import dev.veil.server.accounting.Metering;
import dev.veil.server.api.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

/**
 * {@code /admin/tenants}: creating a tenant, with its budget (the tenant's cap), is the master key's; listing shows
 * the tenants the caller manages.
 */
final class TenantsResource {
    /** The body of {@code POST /admin/tenants}. */
    record CreateTenant(String name, Optional<BudgetTerms> budget) {
        static final Binder.Shape<CreateTenant> SHAPE = new Binder.Shape<>(Set.of("name", "budget"),
                body -> new CreateTenant(body.name("name"),
                        body.object("budget", BudgetTerms.SHAPE, BudgetTerms.EXAMPLE)));
    }

    private final AdminHandlers handlers;
    private final Metering metering;

    TenantsResource(AdminHandlers handlers, Metering metering) {
        this.handlers = handlers;
        this.metering = metering;
    }

    void routes(Routes routes) {
        routes.local(Method.POST, "/admin/tenants", handlers.json(201, Access.KEYS, this::create))
                .local(Method.GET, "/admin/tenants", handlers.json(200, Access.KEYS, this::list));
    }

    private JsonNode create(ServerRequest request, Authority authority) {
        authority.requireMaster();
        CreateTenant body = handlers.body(request, CreateTenant.SHAPE);
        Optional<BudgetSpec> budget = body.budget().map(terms -> terms.on(BudgetScope.tenant(body.name())));
        metering.ensureTenant(body.name());
        ObjectNode out = AdminJson.object("tenant").put("name", body.name());
        budget.ifPresent(spec -> out.set("budget", AdminJson.budget(metering.putBudget(spec))));
        return out;
    }

    private JsonNode list(ServerRequest request, Authority authority) {
        ArrayNode data = AdminJson.array();
        for (String tenant : metering.tenants()) {
            if (authority.covers(tenant)) {
                data.add(AdminJson.object("tenant").put("name", tenant));
            }
        }
        return AdminJson.list(data);
    }
}
