package dev.veil.server.admin;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.accounting.Money;
import dev.veil.server.api.Routes;
import dev.veil.spi.VeilException;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

/**
 * {@code GET /admin/requests}: the latest requests' policy decisions with their reasons, for an {@code auditor}; and
 * {@code GET /admin/requests/series}: traffic, errors, latency, tokens, cost, denials and PII findings per time bucket,
 * for whoever may read usage, with how many records wait for the audit log (its lag). Both read the audit log's
 * request records (metadata only, see {@link RecentRequests}), of the caller's tenant when it manages one.
 */
final class RequestsResource {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1_000;
    private static final int DEFAULT_MINUTES = 60;
    private static final int MAX_MINUTES = 7 * 24 * 60;
    private static final int BUCKETS = 60;
    private static final List<String> OUTCOMES = List.of("allowed", "denied", "error");

    private final AdminHandlers handlers;
    private final RecentRequests recent;
    private final InstantSource clock;
    private final Supplier<Optional<Integer>> auditQueued;

    /** @param auditQueued how many records wait to be committed to the audit log, when there is one */
    RequestsResource(AdminHandlers handlers, RecentRequests recent, InstantSource clock,
                     Supplier<Optional<Integer>> auditQueued) {
        this.handlers = handlers;
        this.recent = recent;
        this.clock = clock;
        this.auditQueued = auditQueued;
    }

    void routes(Routes routes) {
        routes.local(Method.GET, "/admin/requests", handlers.json(200, Access.AUDIT, this::list))
                .local(Method.GET, "/admin/requests/series", handlers.json(200, Access.USAGE, this::series));
    }

    private JsonNode list(ServerRequest request, Authority authority) {
        int limit = (int) number(request, "limit", DEFAULT_LIMIT, MAX_LIMIT);
        Optional<String> model = parameter(request, "model");
        Optional<String> principal = parameter(request, "principal").map(text -> text.toLowerCase(Locale.ROOT));
        Optional<String> outcome = parameter(request, "outcome");
        if (outcome.isPresent() && !OUTCOMES.contains(outcome.get())) {
            throw VeilException.invalidParam("outcome", "outcome: must be allowed, denied or error");
        }
        Optional<String> requestId = parameter(request, "request_id");
        Predicate<RecentRequests.Entry> wanted = entry -> model.map(name -> name.equals(entry.text("requested_model"))
                        || name.equals(entry.text("served_model"))).orElse(true)
                && principal.map(text -> mentions(entry, text)).orElse(true)
                && outcome.map(entry.outcome()::equals).orElse(true)
                && requestId.map(entry.text("request_id")::equals).orElse(true);
        ArrayNode data = AdminJson.array();
        for (RecentRequests.Entry entry : recent.latest(authority.tenant(), 0, wanted, limit)) {
            ObjectNode row = data.addObject();
            row.put("seq", entry.seq());
            row.put("time", Instant.ofEpochMilli(entry.timeMillis()).toString());
            for (String field : List.of("request_id", "surface", "requested_model", "provider", "served_model",
                    "error", "decision_id", "policy_revision", "zero_retention_reason")) {
                if (!entry.text(field).isEmpty()) {
                    row.put(field, entry.text(field));
                }
            }
            row.set("principal", AdminJson.MAPPER.valueToTree(entry.fields().getOrDefault("principal", Map.of())));
            row.put("status", entry.status());
            row.put("outcome", entry.outcome());
            entry.reasons().forEach(row.putArray("reasons")::add);
            row.set("pii", AdminJson.MAPPER.valueToTree(entry.pii()));
            row.put("zero_retention", Boolean.TRUE.equals(entry.fields().get("zero_retention")));
            row.put("latency_ms", entry.number("latency_us") / 1000.0);
            if (entry.fields().containsKey("cost_micro_usd")) {
                row.put("cost_usd", Money.usd(entry.number("cost_micro_usd")));
            }
        }
        return AdminJson.list(data);
    }

    private static boolean mentions(RecentRequests.Entry entry, String text) {
        for (String field : List.of("key_id", "tenant", "team", "user")) {
            if (entry.principal(field).toLowerCase(Locale.ROOT).contains(text)) {
                return true;
            }
        }
        return false;
    }

    private JsonNode series(ServerRequest request, Authority authority) {
        long minutes = number(request, "minutes", DEFAULT_MINUTES, MAX_MINUTES);
        long bucketMillis = Math.max(60_000, minutes * 60_000 / BUCKETS);
        long now = clock.millis();
        long to = (now / bucketMillis + 1) * bucketMillis;
        int count = (int) Math.ceil(minutes * 60_000.0 / bucketMillis);
        long from = to - count * bucketMillis;
        List<RecentRequests.Entry> entries = recent.latest(authority.tenant(), from, entry -> true,
                RecentRequests.MAX_SCAN);
        List<Bucket> buckets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            buckets.add(new Bucket(from + i * bucketMillis));
        }
        Bucket total = new Bucket(from);
        Map<String, Tally> providers = new TreeMap<>();
        Map<String, Tally> models = new TreeMap<>();
        Map<String, Long> reasons = new TreeMap<>();
        Map<String, Long> pii = new TreeMap<>();
        for (RecentRequests.Entry entry : entries) {
            int index = (int) ((entry.timeMillis() - from) / bucketMillis);
            if (index < 0 || index >= count) {
                continue;
            }
            buckets.get(index).add(entry);
            total.add(entry);
            String provider = entry.text("provider");
            if (!provider.isEmpty()) {
                providers.computeIfAbsent(provider, name -> new Tally()).add(entry);
            }
            String model = entry.text("served_model").isEmpty() ? entry.text("requested_model")
                    : entry.text("provider") + "/" + entry.text("served_model");
            if (!model.isEmpty()) {
                models.computeIfAbsent(model, name -> new Tally()).add(entry);
            }
            if (entry.outcome().equals("denied")) {
                for (String reason : entry.reasons().isEmpty() ? List.of("(no reason given)") : entry.reasons()) {
                    reasons.merge(reason, 1L, Long::sum);
                }
            }
            entry.pii().forEach((type, found) -> pii.merge(type, found.longValue(), Long::sum));
        }
        ObjectNode out = AdminJson.object("request.series");
        out.put("from", Instant.ofEpochMilli(from).toString());
        out.put("to", Instant.ofEpochMilli(to).toString());
        out.put("bucket_seconds", bucketMillis / 1000);
        out.put("scanned_max", RecentRequests.MAX_SCAN);
        auditQueued.get().ifPresent(queued -> out.put("audit_queued", queued));
        ArrayNode series = out.putArray("buckets");
        buckets.forEach(bucket -> series.add(bucket.json()));
        out.set("totals", total.json());
        ArrayNode byProvider = out.putArray("providers");
        providers.forEach((name, tally) -> byProvider.add(tally.json().put("provider", name)));
        ArrayNode byModel = out.putArray("models");
        models.forEach((name, tally) -> byModel.add(tally.json().put("model", name)));
        ArrayNode denials = out.putArray("denials_by_reason");
        reasons.forEach((reason, n) -> denials.addObject().put("reason", reason).put("count", n));
        ArrayNode findings = out.putArray("pii_by_type");
        pii.forEach((type, n) -> findings.addObject().put("type", type).put("count", n));
        return out;
    }

    /** What one time bucket, or the whole range, saw. */
    private static final class Bucket {
        private final long start;
        private final List<Double> latencies = new ArrayList<>();
        private final Map<String, Long> pii = new TreeMap<>();
        private long requests;
        private long errors;
        private long denied;
        private long tokens;
        private long costMicros;
        private long zeroRetention;

        Bucket(long start) {
            this.start = start;
        }

        void add(RecentRequests.Entry entry) {
            requests++;
            String outcome = entry.outcome();
            if (outcome.equals("denied")) {
                denied++;
            } else if (entry.status() >= 500) {
                errors++;
            }
            latencies.add(entry.number("latency_us") / 1000.0);
            tokens += entry.usage().getOrDefault("total_tokens", 0).longValue();
            costMicros += entry.number("cost_micro_usd");
            if (Boolean.TRUE.equals(entry.fields().get("zero_retention"))) {
                zeroRetention++;
            }
            entry.pii().forEach((type, found) -> pii.merge(type, found.longValue(), Long::sum));
        }

        ObjectNode json() {
            Collections.sort(latencies);
            ObjectNode out = AdminJson.MAPPER.createObjectNode();
            out.put("start", Instant.ofEpochMilli(start).toString());
            out.put("requests", requests).put("errors", errors).put("denied", denied).put("tokens", tokens)
                    .put("cost_usd", Money.usd(costMicros)).put("zero_retention", zeroRetention)
                    .put("p50_ms", percentile(latencies, 0.50)).put("p99_ms", percentile(latencies, 0.99));
            ObjectNode findings = out.putObject("pii");
            pii.forEach(findings::put);
            return out;
        }
    }

    /** Requests, failures and spend of one provider or model, and its latest answer. */
    private static final class Tally {
        private long requests;
        private long errors;
        private long tokens;
        private long costMicros;
        private long lastMillis;
        private int lastStatus;

        void add(RecentRequests.Entry entry) {
            requests++;
            if (entry.status() >= 500) {
                errors++;
            }
            tokens += entry.usage().getOrDefault("total_tokens", 0).longValue();
            costMicros += entry.number("cost_micro_usd");
            if (entry.timeMillis() >= lastMillis) {
                lastMillis = entry.timeMillis();
                lastStatus = entry.status();
            }
        }

        ObjectNode json() {
            return AdminJson.MAPPER.createObjectNode().put("requests", requests).put("errors", errors)
                    .put("tokens", tokens).put("cost_usd", Money.usd(costMicros))
                    .put("last_at", Instant.ofEpochMilli(lastMillis).toString()).put("last_status", lastStatus);
        }
    }

    /** The nearest-rank percentile of sorted {@code values}, 0 when there are none. */
    private static double percentile(List<Double> values, double rank) {
        if (values.isEmpty()) {
            return 0;
        }
        return values.get(Math.max(0, (int) Math.ceil(rank * values.size()) - 1));
    }

    private static Optional<String> parameter(ServerRequest request, String name) {
        return request.query().first(name).asOptional().filter(value -> !value.isBlank());
    }

    private static long number(ServerRequest request, String name, long otherwise, long max) {
        Optional<String> value = parameter(request, name);
        if (value.isEmpty()) {
            return otherwise;
        }
        try {
            long number = Long.parseLong(value.get());
            if (number < 1 || number > max) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw VeilException.invalidParam(name, name + ": must be a whole number from 1 to " + max);
        }
    }
}
