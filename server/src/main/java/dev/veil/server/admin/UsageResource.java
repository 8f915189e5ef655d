package dev.veil.server.admin;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.accounting.Metering;
import dev.veil.server.accounting.Money;
import dev.veil.server.api.Routes;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /admin/usage}: spend rows per day, key, tenant, team, user and model of the tenants the caller manages,
 * as JSON with totals or as a CSV download. A row of a key names no user: its {@code user} is {@code ""}.
 */
final class UsageResource {
    /** The query of {@code GET /admin/usage}; blank parameters are absent, days are inclusive UTC days. */
    record UsageQuery(Optional<String> tenant, Optional<String> team, Optional<String> key, Optional<String> user,
                      Optional<String> model, Optional<LocalDate> from, Optional<LocalDate> to, boolean csv) {
        static UsageQuery bind(ServerRequest request) {
            String format = request.query().first("format").orElse("json");
            if (!format.equals("json") && !format.equals("csv")) {
                throw VeilException.invalidParam("format", "format: must be json or csv");
            }
            return new UsageQuery(parameter(request, "tenant"), parameter(request, "team"),
                    parameter(request, "key"), parameter(request, "user"), parameter(request, "model"),
                    day(request, "from"), day(request, "to"), format.equals("csv"));
        }

        private static Optional<String> parameter(ServerRequest request, String name) {
            return request.query().first(name).asOptional().filter(value -> !value.isBlank());
        }

        private static Optional<LocalDate> day(ServerRequest request, String name) {
            return parameter(request, name).map(value -> {
                try {
                    return LocalDate.parse(value);
                } catch (DateTimeParseException e) {
                    throw VeilException.invalidParam(name, name + ": must be a date such as 2025-08-31");
                }
            });
        }
    }

    private final AdminHandlers handlers;
    private final Metering metering;

    UsageResource(AdminHandlers handlers, Metering metering) {
        this.handlers = handlers;
        this.metering = metering;
    }

    void routes(Routes routes) {
        routes.local(Method.GET, "/admin/usage", handlers.handler(Access.USAGE, this::usage));
    }

    private void usage(ServerRequest request, Authority authority, ServerResponse response) {
        UsageQuery query = UsageQuery.bind(request);
        query.tenant().ifPresent(authority::require);
        List<Metering.UsageRow> rows = metering.usage(query.tenant().or(authority::tenant), query.team(),
                query.key(), query.user(), query.model(), query.from(), query.to());
        if (query.csv()) {
            response.header(HeaderNames.CONTENT_TYPE, "text/csv; charset=utf-8");
            response.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"veil-usage.csv\"");
            response.send(csv(rows));
            return;
        }
        ArrayNode data = AdminJson.array();
        long cost = 0;
        long requests = 0;
        for (Metering.UsageRow row : rows) {
            data.addObject().put("day", row.day().toString()).put("key_id", row.keyId())
                    .put("tenant", row.tenant()).put("team", row.team()).put("user", row.user())
                    .put("model", row.model())
                    .put("requests", row.requests()).put("prompt_tokens", row.promptTokens())
                    .put("completion_tokens", row.completionTokens()).put("cached_tokens", row.cachedTokens())
                    .put("reasoning_tokens", row.reasoningTokens()).put("cost_usd", Money.usd(row.costMicros()));
            cost = saturatedSum(cost, row.costMicros());
            requests = saturatedSum(requests, row.requests());
        }
        ObjectNode out = AdminJson.list(data);
        out.put("total_requests", requests);
        out.put("total_cost_usd", Money.usd(cost));
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(AdminHandlers.bytes(out));
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static String csv(List<Metering.UsageRow> rows) {
        StringBuilder out = new StringBuilder("day,key_id,tenant,team,user,model,requests,prompt_tokens,"
                + "completion_tokens,cached_tokens,reasoning_tokens,cost_usd\r\n");
        for (Metering.UsageRow row : rows) {
            out.append(row.day()).append(',').append(cell(row.keyId())).append(',').append(cell(row.tenant()))
                    .append(',').append(cell(row.team())).append(',').append(cell(row.user())).append(',')
                    .append(cell(row.model())).append(',')
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
}
