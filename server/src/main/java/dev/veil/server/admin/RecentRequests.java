package dev.veil.server.admin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.AuditConfig;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * The metadata of the latest request records of the audit log, newest first, read for the console's pages: what the
 * log already holds about each request (time, principal, model, provider, status, latency, tokens, cost, policy
 * reasons, PII counts), never its content. A read looks at the last {@link #MAX_SCAN} records at most, so that a page
 * answers in bounded time however long the log is, and keeps what it decrypted, so that the next read decrypts only
 * the records written since.
 */
final class RecentRequests {
    /** The most records one read decrypts. */
    static final int MAX_SCAN = 20_000;
    private static final int PAGE = 500;
    private static final List<String> CONTENT = List.of("prompt", "response");

    /**
     * A request's record, its content left out.
     *
     * @param seq its place in the chain
     * @param fields the decrypted payload without {@code prompt} and {@code response}
     */
    record Entry(long seq, Map<String, Object> fields) {
        long timeMillis() {
            return fields.get("time_ms") instanceof Number number ? number.longValue() : 0;
        }

        String text(String field) {
            return fields.get(field) instanceof String text ? text : "";
        }

        long number(String field) {
            return fields.get(field) instanceof Number number ? number.longValue() : 0;
        }

        int status() {
            return (int) number("status");
        }

        String principal(String field) {
            return fields.get("principal") instanceof Map<?, ?> principal && principal.get(field) instanceof String text
                    ? text : "";
        }

        @SuppressWarnings("unchecked")
        List<String> reasons() {
            return fields.get("reasons") instanceof List<?> reasons ? (List<String>) reasons : List.of();
        }

        @SuppressWarnings("unchecked")
        Map<String, Number> pii() {
            return fields.get("pii") instanceof Map<?, ?> pii ? (Map<String, Number>) pii : Map.of();
        }

        @SuppressWarnings("unchecked")
        Map<String, Number> usage() {
            return fields.get("usage") instanceof Map<?, ?> usage ? (Map<String, Number>) usage : Map.of();
        }

        /** {@code denied} by policy, {@code error} for any other failure, else {@code allowed}. */
        String outcome() {
            if ("policy_denied".equals(text("error")) || (!reasons().isEmpty() && status() == 403)) {
                return "denied";
            }
            return status() >= 400 ? "error" : "allowed";
        }
    }

    private final Optional<AuditConfig> audit;
    /** Decrypted records by sequence number, metadata only: about a kilobyte each. */
    private final Cache<Long, Optional<Entry>> decoded = Caffeine.newBuilder().maximumSize(2L * MAX_SCAN).build();

    RecentRequests(Optional<AuditConfig> audit) {
        this.audit = audit;
    }

    /**
     * The latest request records (admin records skipped) of {@code tenant}'s callers (every tenant's when empty)
     * made at {@code sinceMillis} or later that {@code wanted} accepts, at most {@code limit}, newest first.
     */
    List<Entry> latest(Optional<String> tenant, long sinceMillis, Predicate<Entry> wanted, int limit) {
        AuditConfig config = audit.orElseThrow(() -> new VeilException(ErrorKind.NOT_FOUND, "This Veil keeps no "
                + "audit log (veil.audit is not set), so it has no request records to show")
                .withCode("audit_not_configured"));
        List<Entry> found = new ArrayList<>();
        try (AuditDatabase database = AuditDatabase.open(config, false)) {
            AuditExporter exporter = new AuditExporter(database);
            long end = exporter.lastSeq();
            long floor = Math.max(0, end - MAX_SCAN);
            while (end > floor && found.size() < limit) {
                long start = Math.max(floor, end - PAGE);
                List<Optional<Entry>> page = page(exporter, start, end);
                boolean older = false;
                for (int i = page.size() - 1; i >= 0 && found.size() < limit; i--) {
                    if (page.get(i).isEmpty()) {
                        continue;
                    }
                    Entry entry = page.get(i).get();
                    if (entry.timeMillis() < sinceMillis) {
                        older = true;
                        break;
                    }
                    if (tenant.map(entry.principal("tenant")::equals).orElse(true) && wanted.test(entry)) {
                        found.add(entry);
                    }
                }
                if (older) {
                    break;
                }
                end = start;
            }
        }
        return found;
    }

    /**
     * Records {@code start + 1} to {@code end}, oldest first, each a request's entry or empty for an admin record:
     * from the cache when it holds them all, else decrypted and cached. Records never change once written, so a
     * cached entry never goes stale; decrypting is most of what a read costs.
     */
    private List<Optional<Entry>> page(AuditExporter exporter, long start, long end) {
        List<Optional<Entry>> cached = new ArrayList<>();
        for (long seq = start + 1; seq <= end; seq++) {
            Optional<Entry> entry = decoded.getIfPresent(seq);
            if (entry == null) {
                cached = null;
                break;
            }
            cached.add(entry);
        }
        if (cached != null) {
            return cached;
        }
        List<Optional<Entry>> page = new ArrayList<>();
        for (AuditExporter.Committed committed : exporter.after(start, (int) (end - start))) {
            Map<String, Object> fields = committed.payload();
            Optional<Entry> entry = Optional.empty();
            if (!fields.containsKey("type")) {
                CONTENT.forEach(fields::remove);
                entry = Optional.of(new Entry(committed.seq(), Collections.unmodifiableMap(fields)));
            }
            decoded.put(committed.seq(), entry);
            page.add(entry);
        }
        return page;
    }
}
