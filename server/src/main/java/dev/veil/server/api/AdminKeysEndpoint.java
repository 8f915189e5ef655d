package dev.veil.server.api;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.keys.BudgetScope;
import dev.veil.server.keys.BudgetSpec;
import dev.veil.server.keys.Keys;
import dev.veil.server.keys.Metering;
import dev.veil.server.keys.Money;
import dev.veil.server.keys.VirtualKey;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The admin API for tenants, teams, virtual keys, budgets and usage, under {@code /admin/}: JSON in and out, the
 * master key or an admin-scoped key required. A key's full text appears in exactly two answers, creation and
 * rotation. Bad input is a 400 naming the field; an unknown key id a 404. Contract: docs/keys.md.
 */
public final class AdminKeysEndpoint implements HttpService {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
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

    @Override
    public void routing(HttpRules rules) {
        rules.post("/admin/tenants", (req, res) -> handle(req, res, 201, this::createTenant))
                .get("/admin/tenants", (req, res) -> handle(req, res, 200, this::listTenants))
                .post("/admin/teams", (req, res) -> handle(req, res, 201, this::createTeam))
                .get("/admin/teams", (req, res) -> handle(req, res, 200, this::listTeams))
                .post("/admin/keys", (req, res) -> handle(req, res, 201, this::createKey))
                .get("/admin/keys", (req, res) -> handle(req, res, 200, this::listKeys))
                .get("/admin/keys/{id}", (req, res) -> handle(req, res, 200, this::getKey))
                .post("/admin/keys/{id}/rotate", (req, res) -> handle(req, res, 200, this::rotateKey))
                .post("/admin/keys/{id}/revoke", (req, res) -> handle(req, res, 200, this::revokeKey))
                .delete("/admin/keys/{id}", (req, res) -> handle(req, res, 200, this::revokeKey))
                .post("/admin/budgets", (req, res) -> handle(req, res, 200, this::putBudget))
                .get("/admin/budgets", (req, res) -> handle(req, res, 200, this::listBudgets))
                .get("/admin/usage", this::usage);
    }

    @FunctionalInterface
    private interface Action {
        JsonNode run(ServerRequest request) throws IOException;
    }

    private void handle(ServerRequest request, ServerResponse response, int status, Action action) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            authenticate(request);
            JsonNode body = action.run(request);
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

    private void authenticate(ServerRequest request) {
        gateway.authenticator().authenticateAdmin(request.headers().first(MessagesEndpoint.API_KEY),
                request.headers().first(HeaderNames.AUTHORIZATION));
    }

    // Tenants and teams -----------------------------------------------------------------------------------------

    private JsonNode createTenant(ServerRequest request) throws IOException {
        ObjectNode body = body(request, TENANT_FIELDS);
        String name = name(body, "name");
        metering.ensureTenant(name);
        ObjectNode out = JSON.createObjectNode().put("object", "tenant").put("name", name);
        budget(body, BudgetScope.tenant(name)).ifPresent(b -> out.set("budget", budget(b)));
        return out;
    }

    private JsonNode listTenants(ServerRequest request) {
        ArrayNode data = JSON.createArrayNode();
        for (String tenant : metering.tenants()) {
            data.addObject().put("object", "tenant").put("name", tenant);
        }
        return list(data);
    }

    private JsonNode createTeam(ServerRequest request) throws IOException {
        ObjectNode body = body(request, TEAM_FIELDS);
        String tenant = name(body, "tenant");
        String name = name(body, "name");
        metering.ensureTeam(tenant, name);
        ObjectNode out = JSON.createObjectNode().put("object", "team").put("tenant", tenant).put("name", name);
        budget(body, BudgetScope.team(tenant, name)).ifPresent(b -> out.set("budget", budget(b)));
        return out;
    }

    private JsonNode listTeams(ServerRequest request) {
        ArrayNode data = JSON.createArrayNode();
        for (String[] team : metering.teams()) {
            data.addObject().put("object", "team").put("tenant", team[0]).put("name", team[1]);
        }
        return list(data);
    }

    // Keys ------------------------------------------------------------------------------------------------------

    private JsonNode createKey(ServerRequest request) throws IOException {
        ObjectNode body = body(request, KEY_FIELDS);
        String tenant = name(body, "tenant");
        String team = body.has("team") ? name(body, "team") : "default";
        String name = optionalText(body, "name").orElse("");
        if (name.length() > 200) {
            throw VeilException.invalidParam("name", "name: at most 200 characters");
        }
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
        if (!scope.equals(VirtualKey.SCOPE_CHAT) && !scope.equals(VirtualKey.SCOPE_ADMIN)) {
            throw VeilException.invalidParam("scope", "scope: must be chat or admin");
        }
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
        long rpm = count(limits, "rpm", "limits.rpm");
        long tpm = count(limits, "tpm", "limits.tpm");
        VirtualKey template = new VirtualKey("", name, tenant, team, labels, models, scope, expires, rpm, tpm,
                Instant.now(), Optional.empty(), Optional.empty());
        Optional<ObjectNode> budget = body.has("budget") ? Optional.of(budgetFields(body.get("budget"), "budget"))
                : Optional.empty();
        budget.ifPresent(b -> parseBudget(b, BudgetScope.key("pending"), "budget."));
        Keys.Issued issued = metering.keys().create(template);
        ObjectNode out = key(issued.key());
        out.put("key", issued.secret());
        budget.ifPresent(b -> out.set("budget", budget(metering.putBudget(parseBudget(b,
                BudgetScope.key(issued.key().id()), "budget.")))));
        return out;
    }

    private JsonNode listKeys(ServerRequest request) {
        Optional<String> tenant = request.query().first("tenant").asOptional();
        Optional<String> team = request.query().first("team").asOptional();
        ArrayNode data = JSON.createArrayNode();
        for (VirtualKey key : metering.keys().list()) {
            if (tenant.map(key.tenant()::equals).orElse(true) && team.map(key.team()::equals).orElse(true)) {
                data.add(key(key));
            }
        }
        return list(data);
    }

    private JsonNode getKey(ServerRequest request) {
        return key(metering.keys().find(id(request)).orElseThrow(() -> notFound(id(request))));
    }

    private JsonNode rotateKey(ServerRequest request) {
        String id = id(request);
        Keys.Issued issued = metering.keys().rotate(id).orElseThrow(() -> metering.keys().find(id).isPresent()
                ? VeilException.clientError(409, ErrorKind.INVALID_REQUEST.type(), "Key " + id + " is revoked; "
                        + "create a new key instead", "key_revoked", null)
                : notFound(id));
        ObjectNode out = key(issued.key());
        out.put("key", issued.secret());
        return out;
    }

    private JsonNode revokeKey(ServerRequest request) {
        return key(metering.keys().revoke(id(request)).orElseThrow(() -> notFound(id(request))));
    }

    // Budgets ---------------------------------------------------------------------------------------------------

    private JsonNode putBudget(ServerRequest request) throws IOException {
        ObjectNode body = body(request, BUDGET_REQUEST_FIELDS);
        String kind = optionalText(body, "scope").orElseThrow(() -> VeilException.invalidParam("scope",
                "scope: missing; use key, team or tenant"));
        BudgetScope scope = switch (kind) {
            case "key" -> {
                String id = optionalText(body, "key_id").orElseThrow(() -> VeilException.invalidParam("key_id",
                        "key_id: missing; a key budget names its key"));
                metering.keys().find(id).orElseThrow(() -> notFound(id));
                yield BudgetScope.key(id);
            }
            case "team" -> BudgetScope.team(name(body, "tenant"), name(body, "team"));
            case "tenant" -> BudgetScope.tenant(name(body, "tenant"));
            default -> throw VeilException.invalidParam("scope", "scope: must be key, team or tenant");
        };
        return budget(metering.putBudget(parseBudget(body, scope, "")));
    }

    private JsonNode listBudgets(ServerRequest request) {
        ArrayNode data = JSON.createArrayNode();
        for (Metering.BudgetStatus status : metering.budgets()) {
            ObjectNode budget = budget(status.spec());
            budget.put("period_start", status.periodStart().toString());
            budget.put("spent_usd", Money.usd(status.spentMicros()));
            budget.put("reserved_usd", Money.usd(Math.max(0, status.committedMicros() - status.spentMicros())));
            data.add(budget);
        }
        return list(data);
    }

    private Optional<BudgetSpec> budget(ObjectNode body, BudgetScope scope) {
        if (!body.has("budget")) {
            return Optional.empty();
        }
        return Optional.of(metering.putBudget(parseBudget(budgetFields(body.get("budget"), "budget"), scope,
                "budget.")));
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
        return new BudgetSpec(scope, period, limit, soft);
    }

    private static long usd(JsonNode body, String field, String prefix) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return 0;
        }
        if (!node.isNumber() || node.asDouble() < 0) {
            throw VeilException.invalidParam(prefix + field, prefix + field + ": must be a non-negative number of "
                    + "US dollars");
        }
        return Money.micros(node.asDouble());
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
            authenticate(request);
            String format = request.query().first("format").orElse("json");
            if (!format.equals("json") && !format.equals("csv")) {
                throw VeilException.invalidParam("format", "format: must be json or csv");
            }
            List<Metering.UsageRow> rows = metering.usage(query(request, "tenant"), query(request, "team"),
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
                cost += row.costMicros();
                requests += row.requests();
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
        if (!NAME.matcher(value).matches()) {
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

    private static long count(JsonNode object, String field, String param) {
        JsonNode node = object.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return 0;
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() < 0) {
            throw VeilException.invalidParam(param, param + ": must be a whole number, 0 or more (0: no limit)");
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
