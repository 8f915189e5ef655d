package dev.veil.server.admin;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.accounting.BudgetScope;
import dev.veil.server.accounting.BudgetSpec;
import dev.veil.server.accounting.Keys;
import dev.veil.server.accounting.Metering;
import dev.veil.server.accounting.Money;
import dev.veil.server.accounting.ValueBounds;
import dev.veil.server.accounting.VirtualKey;
import dev.veil.server.api.Routes;
import dev.veil.server.api.anthropic.MessagesEndpoint;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.RequestBodies;
import dev.veil.server.pipeline.RequestIds;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The admin API for tenants, teams, virtual keys, budgets and usage, under {@code /admin/}: JSON in and out, the
 * master key or an admin-scoped key required. A key's full text appears in exactly two answers, creation and
 * rotation. Bodies are read under {@code veil.limits.max-request-bytes} (413 past it). Bad input, a value out of
 * {@link ValueBounds} included, is a 400 naming the field, before anything is stored; an unknown key id a 404.
 *
 * <p>The master key manages every tenant. An admin-scoped virtual key manages its own tenant only (Veil has no
 * role that would lift this): it lists, creates, rotates and revokes that tenant's keys, manages its teams and their
 * and its keys' budgets, and reads its usage. Naming another tenant is a 403 {@code tenant_not_allowed}; the id of
 * another tenant's key is a 404 like an id that does not exist, so that ids of other tenants cannot be probed.
 * Creating tenants and setting a tenant's own budget (its cap) are the master key's. Contract: docs/keys.md.
 */
public final class AdminKeysEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEY_FIELDS = Set.of("tenant", "team", "name", "labels", "models", "scope",
            "expires_at", "limits", "budget");
    private static final Set<String> TENANT_FIELDS = Set.of("name", "budget");
    private static final Set<String> TEAM_FIELDS = Set.of("tenant", "name", "budget");
    private static final Set<String> BUDGET_FIELDS = Set.of("limit_usd", "soft_usd", "period");
    private static final Set<String> BUDGET_REQUEST_FIELDS = Set.of("scope", "tenant", "team", "key_id", "limit_usd",
            "soft_usd", "period");
    private static final Set<String> LIMIT_FIELDS = Set.of("rpm", "tpm");

    private final Gateway gateway;
    private final Metering metering;

    public AdminKeysEndpoint(Gateway gateway) {
        this.gateway = gateway;
        this.metering = gateway.metering();
    }

    /** Adds the admin API's routes, all local, to {@code routes}. */
    public void routes(Routes routes) {
        routes.local(Method.POST, "/admin/tenants", (req, res) -> handle(req, res, 201, this::createTenant))
                .local(Method.GET, "/admin/tenants", (req, res) -> handle(req, res, 200, this::listTenants))
                .local(Method.POST, "/admin/teams", (req, res) -> handle(req, res, 201, this::createTeam))
                .local(Method.GET, "/admin/teams", (req, res) -> handle(req, res, 200, this::listTeams))
                .local(Method.POST, "/admin/keys", (req, res) -> handle(req, res, 201, this::createKey))
                .local(Method.GET, "/admin/keys", (req, res) -> handle(req, res, 200, this::listKeys))
                .local(Method.GET, "/admin/keys/{id}", (req, res) -> handle(req, res, 200, this::getKey))
                .local(Method.POST, "/admin/keys/{id}/rotate", (req, res) -> handle(req, res, 200, this::rotateKey))
                .local(Method.POST, "/admin/keys/{id}/revoke", (req, res) -> handle(req, res, 200, this::revokeKey))
                .local(Method.DELETE, "/admin/keys/{id}", (req, res) -> handle(req, res, 200, this::revokeKey))
                .local(Method.POST, "/admin/budgets", (req, res) -> handle(req, res, 200, this::putBudget))
                .local(Method.GET, "/admin/budgets", (req, res) -> handle(req, res, 200, this::listBudgets))
                .local(Method.GET, "/admin/usage", this::usage);
    }

    @FunctionalInterface
    private interface Action {
        JsonNode run(ServerRequest request, Authority authority) throws IOException;
    }

    /** The tenants a caller manages: every one (the master key) or its own (an admin-scoped virtual key). */
    private record Authority(Optional<String> tenant) {
        static Authority of(Caller caller) {
            return new Authority(caller.keyId().equals("master") ? Optional.empty() : Optional.of(caller.tenant()));
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

        VeilException forbidden() {
            return new VeilException(ErrorKind.PERMISSION_DENIED, "This admin key manages tenant '"
                    + tenant.orElseThrow() + "' only; tenants, tenant budgets and other tenants are for the master key")
                    .withCode("tenant_not_allowed");
        }
    }

    private void handle(ServerRequest request, ServerResponse response, int status, Action action) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            Authority authority = authenticate(request);
            JsonNode body = action.run(request, authority);
            response.status(Status.create(status));
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(JSON.writeValueAsBytes(body));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        } catch (IOException e) {
            ErrorResponder.send(response, new VeilException(ErrorKind.INVALID_REQUEST, "The request body is not "
                    + "valid JSON"));
        }
    }

    private Authority authenticate(ServerRequest request) {
        return Authority.of(gateway.authenticator().authenticateAdmin(request.headers().first(MessagesEndpoint.API_KEY),
                request.headers().first(HeaderNames.AUTHORIZATION)));
    }

    // Tenants and teams -----------------------------------------------------------------------------------------

    private JsonNode createTenant(ServerRequest request, Authority authority) throws IOException {
        authority.requireMaster();
        ObjectNode body = body(request, TENANT_FIELDS);
        String name = name(body, "name");
        Optional<BudgetSpec> budget = budget(body, BudgetScope.tenant(name));
        metering.ensureTenant(name);
        ObjectNode out = JSON.createObjectNode().put("object", "tenant").put("name", name);
        budget.ifPresent(b -> out.set("budget", budget(metering.putBudget(b))));
        return out;
    }

    private JsonNode listTenants(ServerRequest request, Authority authority) {
        ArrayNode data = JSON.createArrayNode();
        for (String tenant : metering.tenants()) {
            if (authority.covers(tenant)) {
                data.addObject().put("object", "tenant").put("name", tenant);
            }
        }
        return list(data);
    }

    private JsonNode createTeam(ServerRequest request, Authority authority) throws IOException {
        ObjectNode body = body(request, TEAM_FIELDS);
        String tenant = name(body, "tenant");
        authority.require(tenant);
        String name = name(body, "name");
        Optional<BudgetSpec> budget = budget(body, BudgetScope.team(tenant, name));
        metering.ensureTeam(tenant, name);
        ObjectNode out = JSON.createObjectNode().put("object", "team").put("tenant", tenant).put("name", name);
        budget.ifPresent(b -> out.set("budget", budget(metering.putBudget(b))));
        return out;
    }

    private JsonNode listTeams(ServerRequest request, Authority authority) {
        ArrayNode data = JSON.createArrayNode();
        for (String[] team : metering.teams()) {
            if (authority.covers(team[0])) {
                data.addObject().put("object", "team").put("tenant", team[0]).put("name", team[1]);
            }
        }
        return list(data);
    }

    // Keys ------------------------------------------------------------------------------------------------------

    private JsonNode createKey(ServerRequest request, Authority authority) throws IOException {
        ObjectNode body = body(request, KEY_FIELDS);
        String tenant = name(body, "tenant");
        authority.require(tenant);
        String team = body.has("team") ? name(body, "team") : "default";
        String name = optionalText(body, "name").orElse("");
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode labelNode = body.path("labels");
        if (!labelNode.isMissingNode() && !labelNode.isNull()) {
            if (!labelNode.isObject()) {
                throw VeilException.invalidParam("labels", "labels: must be an object of string values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = labelNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> label = it.next();
                if (!label.getValue().isTextual()) {
                    throw VeilException.invalidParam("labels." + label.getKey(), "labels." + label.getKey()
                            + ": must be a string");
                }
                labels.put(label.getKey(), label.getValue().asText());
            }
        }
        List<String> models = new ArrayList<>();
        JsonNode modelNode = body.path("models");
        if (!modelNode.isMissingNode() && !modelNode.isNull()) {
            if (!modelNode.isArray()) {
                throw VeilException.invalidParam("models", "models: must be a list of model names or globs, "
                        + "for example [\"gpt-4o*\", \"anthropic/*\"]");
            }
            for (JsonNode model : modelNode) {
                if (!model.isTextual() || model.asText().isBlank()) {
                    throw VeilException.invalidParam("models", "models: every entry must be a non-empty string");
                }
                models.add(model.asText());
            }
        }
        String scope = optionalText(body, "scope").orElse(VirtualKey.SCOPE_CHAT);
        Optional<Instant> expires = optionalText(body, "expires_at").map(value -> {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw VeilException.invalidParam("expires_at", "expires_at: must be an ISO-8601 UTC time, for "
                        + "example 2026-01-31T00:00:00Z");
            }
        });
        JsonNode limits = body.path("limits");
        if (!limits.isMissingNode() && !limits.isNull()) {
            if (!limits.isObject()) {
                throw VeilException.invalidParam("limits", "limits: must be an object, for example {\"rpm\": 60}");
            }
            unknownFields(limits, LIMIT_FIELDS, "limits.");
        }
        long rpm = count(limits, "rpm", "limits.rpm", ValueBounds.MAX_REQUESTS_PER_MINUTE);
        long tpm = count(limits, "tpm", "limits.tpm", ValueBounds.MAX_TOKENS_PER_MINUTE);
        VirtualKey template = new VirtualKey("", name, tenant, team, labels, models, scope, expires, rpm, tpm,
                Instant.now(), Optional.empty(), Optional.empty());
        ValueBounds.problem(template).ifPresent(problem -> {
            throw VeilException.invalidParam(problem.field(), problem.text());
        });
        Optional<ObjectNode> budget = body.has("budget") ? Optional.of(budgetFields(body.get("budget"), "budget"))
                : Optional.empty();
        // Checked before the key exists, so under a stand-in id; stored under the real one below.
        budget.ifPresent(b -> parseBudget(b, BudgetScope.key("0000000000000000"), "budget."));
        Keys.Issued issued = metering.keys().create(template);
        ObjectNode out = key(issued.key());
        out.put("key", issued.secret());
        budget.ifPresent(b -> out.set("budget", budget(metering.putBudget(parseBudget(b,
                BudgetScope.key(issued.key().id()), "budget.")))));
        return out;
    }

    private JsonNode listKeys(ServerRequest request, Authority authority) {
        Optional<String> tenant = request.query().first("tenant").asOptional();
        tenant.ifPresent(authority::require);
        Optional<String> team = request.query().first("team").asOptional();
        ArrayNode data = JSON.createArrayNode();
        for (VirtualKey key : metering.keys().list()) {
            if (authority.covers(key.tenant()) && tenant.map(key.tenant()::equals).orElse(true)
                    && team.map(key.team()::equals).orElse(true)) {
                data.add(key(key));
            }
        }
        return list(data);
    }

    private JsonNode getKey(ServerRequest request, Authority authority) {
        return key(find(id(request), authority));
    }

    /** The key with {@code id} if the caller manages its tenant; a 404 otherwise, as for an unknown id. */
    private VirtualKey find(String id, Authority authority) {
        return metering.keys().find(id).filter(key -> authority.covers(key.tenant())).orElseThrow(() -> notFound(id));
    }

    private JsonNode rotateKey(ServerRequest request, Authority authority) {
        String id = id(request);
        find(id, authority);
        Keys.Issued issued = metering.keys().rotate(id).orElseThrow(() -> metering.keys().find(id).isPresent()
                ? VeilException.clientError(409, ErrorKind.INVALID_REQUEST.type(), "Key " + id + " is revoked; "
                        + "create a new key instead", "key_revoked", null)
                : notFound(id));
        ObjectNode out = key(issued.key());
        out.put("key", issued.secret());
        return out;
    }

    private JsonNode revokeKey(ServerRequest request, Authority authority) {
        find(id(request), authority);
        return key(metering.keys().revoke(id(request)).orElseThrow(() -> notFound(id(request))));
    }

    // Budgets ---------------------------------------------------------------------------------------------------

    private JsonNode putBudget(ServerRequest request, Authority authority) throws IOException {
        ObjectNode body = body(request, BUDGET_REQUEST_FIELDS);
        String kind = optionalText(body, "scope").orElseThrow(() -> VeilException.invalidParam("scope",
                "scope: missing; use key, team or tenant"));
        BudgetScope scope = switch (kind) {
            case "key" -> {
                String id = optionalText(body, "key_id").orElseThrow(() -> VeilException.invalidParam("key_id",
                        "key_id: missing; a key budget names its key"));
                find(id, authority);
                yield BudgetScope.key(id);
            }
            case "team" -> {
                String tenant = name(body, "tenant");
                authority.require(tenant);
                yield BudgetScope.team(tenant, name(body, "team"));
            }
            case "tenant" -> {
                String tenant = name(body, "tenant");
                authority.requireMaster();
                yield BudgetScope.tenant(tenant);
            }
            default -> throw VeilException.invalidParam("scope", "scope: must be key, team or tenant");
        };
        return budget(metering.putBudget(parseBudget(body, scope, "")));
    }

    private JsonNode listBudgets(ServerRequest request, Authority authority) {
        Map<String, String> keyTenants = new HashMap<>();
        if (authority.tenant().isPresent()) {
            metering.keys().list().forEach(key -> keyTenants.put(key.id(), key.tenant()));
        }
        ArrayNode data = JSON.createArrayNode();
        for (Metering.BudgetStatus status : metering.budgets()) {
            BudgetScope scope = status.spec().scope();
            if (!authority.covers(scope.kind().equals("key") ? keyTenants.getOrDefault(scope.keyId(), "")
                    : scope.tenant())) {
                continue;
            }
            ObjectNode budget = budget(status.spec());
            budget.put("period_start", status.periodStart().toString());
            budget.put("spent_usd", Money.usd(status.spentMicros()));
            budget.put("reserved_usd", Money.usd(Math.max(0, status.committedMicros() - status.spentMicros())));
            data.add(budget);
        }
        return list(data);
    }

    /** The budget a tenant or team body carries, checked but not stored yet. */
    private static Optional<BudgetSpec> budget(ObjectNode body, BudgetScope scope) {
        if (!body.has("budget")) {
            return Optional.empty();
        }
        return Optional.of(parseBudget(budgetFields(body.get("budget"), "budget"), scope, "budget."));
    }

    private static ObjectNode budgetFields(JsonNode node, String field) {
        if (!(node instanceof ObjectNode object)) {
            throw VeilException.invalidParam(field, field + ": must be an object, for example "
                    + "{\"limit_usd\": 100, \"soft_usd\": 80, \"period\": \"month\"}");
        }
        unknownFields(object, BUDGET_FIELDS, field + ".");
        return object;
    }

    private static BudgetSpec parseBudget(ObjectNode body, BudgetScope scope, String prefix) {
        String period = optionalText(body, "period").orElse(BudgetSpec.MONTH);
        if (!period.equals(BudgetSpec.DAY) && !period.equals(BudgetSpec.MONTH)) {
            throw VeilException.invalidParam(prefix + "period", prefix + "period: must be day or month");
        }
        long limit = usd(body, "limit_usd", prefix);
        long soft = usd(body, "soft_usd", prefix);
        if (limit == 0 && soft == 0) {
            throw VeilException.invalidParam(prefix + "limit_usd", prefix + "limit_usd: give a hard cap, a soft_usd "
                    + "alert threshold, or both");
        }
        BudgetSpec budget = new BudgetSpec(scope, period, limit, soft);
        ValueBounds.problem(budget).ifPresent(problem -> {
            throw VeilException.invalidParam(prefix + problem.field(), prefix + problem.text());
        });
        return budget;
    }

    private static long usd(JsonNode body, String field, String prefix) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return 0;
        }
        // 1e99999 parses as an infinite double, which has no decimal value.
        if (!node.isNumber() || !Double.isFinite(node.asDouble()) || node.decimalValue().signum() < 0
                || node.decimalValue().compareTo(ValueBounds.MAX_USD) > 0) {
            throw VeilException.invalidParam(prefix + field, prefix + field + ": must be a number of US dollars "
                    + "from 0 to " + ValueBounds.MAX_USD.toPlainString());
        }
        return Money.micros(node.decimalValue());
    }

    private static ObjectNode budget(BudgetSpec spec) {
        ObjectNode out = JSON.createObjectNode();
        out.put("object", "budget");
        out.put("scope", spec.scope().kind());
        if (!spec.scope().tenant().isEmpty()) {
            out.put("tenant", spec.scope().tenant());
        }
        if (!spec.scope().team().isEmpty()) {
            out.put("team", spec.scope().team());
        }
        if (!spec.scope().keyId().isEmpty()) {
            out.put("key_id", spec.scope().keyId());
        }
        out.put("period", spec.period());
        out.put("limit_usd", Money.usd(spec.limitMicros()));
        out.put("soft_usd", Money.usd(spec.softMicros()));
        return out;
    }

    // Usage -----------------------------------------------------------------------------------------------------

    private void usage(ServerRequest request, ServerResponse response) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            Authority authority = authenticate(request);
            Optional<String> tenant = query(request, "tenant");
            tenant.ifPresent(authority::require);
            String format = request.query().first("format").orElse("json");
            if (!format.equals("json") && !format.equals("csv")) {
                throw VeilException.invalidParam("format", "format: must be json or csv");
            }
            List<Metering.UsageRow> rows = metering.usage(tenant.or(authority::tenant), query(request, "team"),
                    query(request, "key"), query(request, "model"), day(request, "from"), day(request, "to"));
            if (format.equals("csv")) {
                response.header(HeaderNames.CONTENT_TYPE, "text/csv; charset=utf-8");
                response.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"veil-usage.csv\"");
                response.send(csv(rows));
                return;
            }
            ArrayNode data = JSON.createArrayNode();
            long cost = 0;
            long requests = 0;
            for (Metering.UsageRow row : rows) {
                data.addObject().put("day", row.day().toString()).put("key_id", row.keyId())
                        .put("tenant", row.tenant()).put("team", row.team()).put("model", row.model())
                        .put("requests", row.requests()).put("prompt_tokens", row.promptTokens())
                        .put("completion_tokens", row.completionTokens()).put("cached_tokens", row.cachedTokens())
                        .put("reasoning_tokens", row.reasoningTokens()).put("cost_usd", Money.usd(row.costMicros()));
                cost = saturatedSum(cost, row.costMicros());
                requests = saturatedSum(requests, row.requests());
            }
            ObjectNode out = list(data);
            out.put("total_requests", requests);
            out.put("total_cost_usd", Money.usd(cost));
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(JSON.writeValueAsBytes(out));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        } catch (JsonProcessingException e) {
            ErrorResponder.send(response, new VeilException(ErrorKind.INTERNAL, "Usage could not be written"));
        }
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static String csv(List<Metering.UsageRow> rows) {
        StringBuilder out = new StringBuilder("day,key_id,tenant,team,model,requests,prompt_tokens,"
                + "completion_tokens,cached_tokens,reasoning_tokens,cost_usd\r\n");
        for (Metering.UsageRow row : rows) {
            out.append(row.day()).append(',').append(cell(row.keyId())).append(',').append(cell(row.tenant()))
                    .append(',').append(cell(row.team())).append(',').append(cell(row.model())).append(',')
                    .append(row.requests()).append(',').append(row.promptTokens()).append(',')
                    .append(row.completionTokens()).append(',').append(row.cachedTokens()).append(',')
                    .append(row.reasoningTokens()).append(',').append(Money.format(row.costMicros())).append("\r\n");
        }
        return out.toString();
    }

    /** A CSV cell, quoted when needed, and never read as a formula by a spreadsheet. */
    private static String cell(String value) {
        String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
            return "\"" + safe.replace("\"", "\"\"") + "\"";
        }
        return safe;
    }

    private static Optional<String> query(ServerRequest request, String name) {
        return request.query().first(name).asOptional().filter(value -> !value.isBlank());
    }

    private static Optional<LocalDate> day(ServerRequest request, String name) {
        return query(request, name).map(value -> {
            try {
                return LocalDate.parse(value);
            } catch (DateTimeParseException e) {
                throw VeilException.invalidParam(name, name + ": must be a date such as 2025-08-31");
            }
        });
    }

    // JSON helpers ----------------------------------------------------------------------------------------------

    private ObjectNode body(ServerRequest request, Set<String> fields) throws IOException {
        byte[] bytes = RequestBodies.read(request, gateway.config().maxRequestBytes());
        JsonNode node = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        if (!(node instanceof ObjectNode object)) {
            throw new VeilException(ErrorKind.INVALID_REQUEST, "The request body must be a JSON object");
        }
        unknownFields(object, fields, "");
        return object;
    }

    private static void unknownFields(JsonNode object, Set<String> fields, String prefix) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!fields.contains(field)) {
                throw VeilException.invalidParam(prefix + field, prefix + field + ": unknown field; known fields: "
                        + String.join(", ", fields.stream().sorted().toList()));
            }
        }
    }

    private static String name(JsonNode body, String field) {
        String value = optionalText(body, field).orElseThrow(() -> VeilException.invalidParam(field, field
                + ": missing"));
        if (!ValueBounds.NAME.matcher(value).matches()) {
            throw VeilException.invalidParam(field, field + ": use 1 to 64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        return value;
    }

    private static Optional<String> optionalText(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw VeilException.invalidParam(field, field + ": must be a string");
        }
        return Optional.of(node.asText());
    }

    private static long count(JsonNode object, String field, String param, long max) {
        JsonNode node = object.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return 0;
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() < 0 || node.asLong() > max) {
            throw VeilException.invalidParam(param, param + ": must be a whole number from 0 (no limit) to " + max);
        }
        return node.asLong();
    }

    private static String id(ServerRequest request) {
        return request.path().pathParameters().get("id");
    }

    private static VeilException notFound(String id) {
        return new VeilException(ErrorKind.NOT_FOUND, "No key with id '" + (id.matches("[0-9a-f]{1,32}") ? id
                : "(invalid)") + "'").withCode("key_not_found");
    }

    private static ObjectNode list(ArrayNode data) {
        ObjectNode out = JSON.createObjectNode();
        out.put("object", "list");
        out.set("data", data);
        return out;
    }

    private static ObjectNode key(VirtualKey key) {
        ObjectNode out = JSON.createObjectNode();
        out.put("object", "key");
        out.put("id", key.id());
        out.put("name", key.name());
        out.put("tenant", key.tenant());
        out.put("team", key.team());
        ObjectNode labels = out.putObject("labels");
        key.labels().forEach(labels::put);
        ArrayNode models = out.putArray("models");
        key.models().forEach(models::add);
        out.put("scope", key.scope());
        if (key.expiresAt().isPresent()) {
            out.put("expires_at", key.expiresAt().get().toString());
        } else {
            out.putNull("expires_at");
        }
        out.putObject("limits").put("rpm", key.requestsPerMinute()).put("tpm", key.tokensPerMinute());
        out.put("created_at", key.createdAt().toString());
        key.rotatedAt().ifPresent(at -> out.put("rotated_at", at.toString()));
        key.revokedAt().ifPresent(at -> out.put("revoked_at", at.toString()));
        String status = key.revokedAt().isPresent() ? "revoked"
                : key.expiresAt().filter(at -> !at.isAfter(Instant.now())).isPresent() ? "expired" : "active";
        out.put("status", status);
        return out;
    }
}
