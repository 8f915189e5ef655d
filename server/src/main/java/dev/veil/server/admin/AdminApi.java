package dev.veil.server.admin;

import java.time.InstantSource;

import dev.veil.server.api.Routes;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.mcp.McpGateway;
import dev.veil.server.pipeline.Gateway;

/**
 * The admin API for tenants, teams, virtual keys, budgets and usage, under {@code /admin/}: JSON in and out, the
 * master key or an admin-scoped key required, one class per resource. A key's full text appears in exactly two
 * answers, creation and rotation. Bodies are read under {@code veil.limits.max-request-bytes} (413 past it) and bound
 * to request records; bad input, a value out of {@link dev.veil.server.accounting.ValueBounds} included, is a 400
 * naming the field, before anything is stored; an unknown key id a 404.
 *
 * <p>The master key manages every tenant. An admin-scoped virtual key manages its own tenant only: it lists, creates,
 * rotates and revokes that tenant's keys, manages its teams and their and its keys' budgets, and reads its usage.
 * Naming another tenant is a 403 {@code tenant_not_allowed}; the id of another tenant's key is a 404 like an id that
 * does not exist, so that ids of other tenants cannot be probed. Creating tenants and setting a tenant's own budget
 * (its cap) are the master key's. Contract: docs/keys.md.
 *
 * <p>A token of a {@code veil.auth.jwt} issuer may call the routes its roles allow ({@link Access}: {@code admin}
 * everything, {@code key-admin} tenants, teams, keys and budgets, {@code auditor} and {@code viewer} usage and the
 * request series, {@code auditor} the audit log and recent requests, every role {@code whoami} and the config view),
 * over its tenant claim's tenant, or every tenant when its issuer maps none. The master key and admin-scoped keys are
 * role {@code admin}; each use of the master key is logged with its route. Contract: docs/identity.md.
 */
public final class AdminApi {
    private final TenantsResource tenants;
    private final TeamsResource teams;
    private final KeysResource keys;
    private final KeyResource key;
    private final BudgetsResource budgets;
    private final UsageResource usage;
    private final AuditResource audit;
    private final AdminHandlers handlers;
    private final RequestsResource requests;
    private final ConfigResource config;

    /**
     * @param clock what key answers tell expiry by ({@code status}) and new keys are checked against
     */
    public AdminApi(Gateway gateway, InstantSource clock) {
        this.handlers = new AdminHandlers(gateway);
        this.tenants = new TenantsResource(handlers, gateway.metering());
        this.teams = new TeamsResource(handlers, gateway.metering());
        this.keys = new KeysResource(handlers, gateway.metering(), clock);
        this.key = new KeyResource(handlers, gateway.metering().keys(), clock);
        this.budgets = new BudgetsResource(handlers, gateway.metering());
        this.usage = new UsageResource(handlers, gateway.metering());
        this.audit = new AuditResource(handlers, gateway.config().audit());
        this.requests = new RequestsResource(handlers, new RecentRequests(gateway.config().audit()), clock,
                () -> gateway.audit().map(AuditLog::queued));
        // Routes are built as a config begins to serve, on start and on each reload.
        this.config = new ConfigResource(handlers, gateway.config(), clock.instant());
    }

    /** Adds the admin API's routes, all local, to {@code routes}. */
    public void routes(Routes routes) {
        tenants.routes(routes);
        teams.routes(routes);
        keys.routes(routes);
        key.routes(routes);
        budgets.routes(routes);
        usage.routes(routes);
        audit.routes(routes);
        requests.routes(routes);
        config.routes(routes);
    }

    /** Adds the MCP gateway's admin routes ({@code /admin/mcp/tools}) to {@code routes}. */
    public void mcpRoutes(Routes routes, McpGateway mcp) {
        new McpToolsResource(handlers, mcp).routes(routes);
    }
}
