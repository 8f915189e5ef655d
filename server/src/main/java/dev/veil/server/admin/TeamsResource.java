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

/** {@code /admin/teams}: creating a team, with its budget, in a tenant the caller manages, and listing them. */
final class TeamsResource {
    /** The body of {@code POST /admin/teams}. */
    record CreateTeam(String tenant, String name, Optional<BudgetTerms> budget) {
        static final Binder.Shape<CreateTeam> SHAPE = new Binder.Shape<>(Set.of("tenant", "name", "budget"),
                body -> new CreateTeam(body.name("tenant"), body.name("name"),
                        body.object("budget", BudgetTerms.SHAPE, BudgetTerms.EXAMPLE)));
    }

    private final AdminHandlers handlers;
    private final Metering metering;

    TeamsResource(AdminHandlers handlers, Metering metering) {
        this.handlers = handlers;
        this.metering = metering;
    }

    void routes(Routes routes) {
        routes.local(Method.POST, "/admin/teams", handlers.json(201, Access.KEYS, this::create))
                .local(Method.GET, "/admin/teams", handlers.json(200, Access.KEYS, this::list));
    }

    private JsonNode create(ServerRequest request, Authority authority) {
        CreateTeam body = handlers.body(request, CreateTeam.SHAPE);
        authority.require(body.tenant());
        Optional<BudgetSpec> budget = body.budget().map(terms -> terms.on(BudgetScope.team(body.tenant(),
                body.name())));
        metering.ensureTeam(body.tenant(), body.name());
        ObjectNode out = AdminJson.object("team").put("tenant", body.tenant()).put("name", body.name());
        budget.ifPresent(spec -> out.set("budget", AdminJson.budget(metering.putBudget(spec))));
        return out;
    }

    private JsonNode list(ServerRequest request, Authority authority) {
        ArrayNode data = AdminJson.array();
        for (String[] team : metering.teams()) {
            if (authority.covers(team[0])) {
                data.add(AdminJson.object("team").put("tenant", team[0]).put("name", team[1]));
            }
        }
        return AdminJson.list(data);
    }
}
