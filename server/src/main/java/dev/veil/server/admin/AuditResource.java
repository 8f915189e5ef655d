package dev.veil.server.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.api.Routes;
import dev.veil.server.audit.AdminEvent;
import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.audit.AuditVerifier;
import dev.veil.server.config.AuditConfig;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /admin/audit/records} and {@code GET /admin/audit/verify}: what {@code veil audit export} and
 * {@code verify} do for the config's log, for an {@code auditor} (or {@code admin}) who has no shell on the host. The
 * log spans every tenant, so a principal bound to one tenant is refused. An export run is itself an admin record.
 */
final class AuditResource {
    /** At most this many records per answer; {@code from} pages on. */
    static final int MAX_RECORDS = 10_000;

    private final AdminHandlers handlers;
    private final Optional<AuditConfig> audit;

    AuditResource(AdminHandlers handlers, Optional<AuditConfig> audit) {
        this.handlers = handlers;
        this.audit = audit;
    }

    void routes(Routes routes) {
        routes.local(Method.GET, "/admin/audit/records", handlers.handler(Access.AUDIT, this::records))
                .local(Method.GET, "/admin/audit/verify", handlers.json(200, Access.AUDIT, this::verify));
    }

    private void records(ServerRequest request, Authority authority, ServerResponse response) {
        authority.requireMaster();
        long from = number(request, "from", 1);
        long to = Math.min(number(request, "to", Long.MAX_VALUE),
                from > Long.MAX_VALUE - MAX_RECORDS ? Long.MAX_VALUE : from + MAX_RECORDS - 1);
        long count;
        // Streamed, record by record: a page of records with their content can run to hundreds of megabytes.
        try (AuditDatabase database = AuditDatabase.open(config(), false)) {
            response.header(HeaderNames.CONTENT_TYPE, "application/x-ndjson; charset=utf-8");
            try (OutputStream out = response.outputStream()) {
                count = new AuditExporter(database).export(from, to, out);
            } catch (IOException e) {
                throw new UncheckedIOException("the audit export could not be written to the client", e);
            }
        }
        handlers.recordExport(request, authority, Map.of("from", Long.toString(from), "to", Long.toString(to),
                "records", Long.toString(count)));
    }

    private JsonNode verify(ServerRequest request, Authority authority) {
        authority.requireMaster();
        AuditVerifier.Result result;
        try (AuditDatabase database = AuditDatabase.open(config(), false)) {
            result = new AuditVerifier(database).verify(1);
        }
        ObjectNode out = AdminJson.object("audit.verification").put("ok", result.ok())
                .put("records", result.records()).put("last_seq", result.lastSeq())
                .put("last_checkpoint", result.lastCheckpoint()).put("unsigned", result.unsigned())
                .put("public_key", result.publicKey());
        result.firstBadSeq().ifPresent(seq -> out.put("first_bad_seq", seq));
        result.problem().ifPresent(problem -> out.put("problem", problem));
        result.nodeIds().forEach(out.putArray("node_ids")::add);
        return out;
    }

    private AuditConfig config() {
        return audit.orElseThrow(() -> new VeilException(ErrorKind.NOT_FOUND, "This Veil keeps no audit log "
                + "(veil.audit is not set)").withCode("audit_not_configured"));
    }

    private static long number(ServerRequest request, String name, long otherwise) {
        Optional<String> value = request.query().first(name).asOptional();
        if (value.isEmpty()) {
            return otherwise;
        }
        try {
            long number = Long.parseLong(value.get());
            if (number < 1) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw VeilException.invalidParam(name, name + ": must be a record number, 1 or more");
        }
    }
}
