package dev.veil.server.admin;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.accounting.BudgetScope;
import dev.veil.server.accounting.Keys;
import dev.veil.server.accounting.Metering;
import dev.veil.server.accounting.ValueBounds;
import dev.veil.server.accounting.VirtualKey;
import dev.veil.server.api.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

/**
 * {@code /admin/keys}: creating a key in a tenant the caller manages (its secret is in this answer only), with
 * limits and a budget, and listing keys by tenant and team.
 */
final class KeysResource {
    /** The body of {@code POST /admin/keys}: the key to store (its id and secret aside) and its budget. */
    record CreateKey(VirtualKey template, Optional<BudgetTerms> budget) {
        static Binder.Shape<CreateKey> shape(Instant now) {
            return new Binder.Shape<>(Set.of("tenant", "team", "name", "labels", "models", "scope", "expires_at",
                    "limits", "budget"), body -> bind(body, now));
        }

        private static CreateKey bind(Binder body, Instant now) {
            String tenant = body.name("tenant");
            String team = body.optionalName("team").orElse("default");
            String name = body.text("name").orElse("");
            var labels = body.labels("labels");
            var models = body.models("models");
            String scope = body.text("scope").orElse(VirtualKey.SCOPE_CHAT);
            Optional<Instant> expires = body.time("expires_at");
            Limits limits = body.optionalObject("limits", Limits.SHAPE, "{\"rpm\": 60}").orElse(Limits.NONE);
            VirtualKey template = new VirtualKey("", name, tenant, team, labels, models, scope, expires, limits.rpm(),
                    limits.tpm(), now, Optional.empty(), Optional.empty());
            body.check(ValueBounds.problem(template));
            return new CreateKey(template, body.object("budget", BudgetTerms.SHAPE, BudgetTerms.EXAMPLE));
        }
    }

    /** A key's {@code limits}: requests and tokens per minute, 0 for none. */
    record Limits(long rpm, long tpm) {
        static final Limits NONE = new Limits(0, 0);
        static final Binder.Shape<Limits> SHAPE = new Binder.Shape<>(Set.of("rpm", "tpm"),
                body -> new Limits(body.count("rpm", ValueBounds.MAX_REQUESTS_PER_MINUTE),
                        body.count("tpm", ValueBounds.MAX_TOKENS_PER_MINUTE)));
    }

    private final AdminHandlers handlers;
    private final Metering metering;
    private final InstantSource clock;

    KeysResource(AdminHandlers handlers, Metering metering, InstantSource clock) {
        this.handlers = handlers;
        this.metering = metering;
        this.clock = clock;
    }

    void routes(Routes routes) {
        routes.local(Method.POST, "/admin/keys", handlers.json(201, Access.KEYS, this::create))
                .local(Method.GET, "/admin/keys", handlers.json(200, Access.KEYS, this::list));
    }

    private JsonNode create(ServerRequest request, Authority authority) {
        CreateKey body = handlers.body(request, CreateKey.shape(clock.instant()));
        authority.require(body.template().tenant());
        Keys.Issued issued = metering.keys().create(body.template());
        ObjectNode out = AdminJson.key(issued.key(), clock.instant());
        out.put("key", issued.secret());
        body.budget().ifPresent(terms -> out.set("budget", AdminJson.budget(metering.putBudget(
                terms.on(BudgetScope.key(issued.key().id()))))));
        return out;
    }

    private JsonNode list(ServerRequest request, Authority authority) {
        Optional<String> tenant = request.query().first("tenant").asOptional();
        tenant.ifPresent(authority::require);
        Optional<String> team = request.query().first("team").asOptional();
        Instant now = clock.instant();
        ArrayNode data = AdminJson.array();
        for (VirtualKey key : metering.keys().list()) {
            if (authority.covers(key.tenant()) && tenant.map(key.tenant()::equals).orElse(true)
                    && team.map(key.team()::equals).orElse(true)) {
                data.add(AdminJson.key(key, now));
            }
        }
        return AdminJson.list(data);
    }
}
