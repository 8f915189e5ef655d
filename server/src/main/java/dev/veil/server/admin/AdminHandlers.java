package dev.veil.server.admin;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.api.anthropic.MessagesEndpoint;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.audit.AdminEvent;
import dev.veil.server.auth.ConsoleSessions;
import dev.veil.server.auth.Principal;
import dev.veil.server.auth.Role;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.RequestBodies;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What every admin route does around its resource: a request id, the caller authenticated as the master key, an
 * admin-scoped key or a token (in a header, or sealed in the console's session cookie), its role checked against the
 * route's {@link Access}, the answer, and any {@link VeilException} in the OpenAI error shape. Bodies are read under
 * {@code veil.limits.max-request-bytes} (413 past it) and bound to their request records by {@link Binder}.
 */
final class AdminHandlers {
    /** A route's work once its caller is known; what it throws is the error answer. */
    @FunctionalInterface
    interface Action {
        JsonNode run(ServerRequest request, Authority authority);
    }

    /** A route's change once its caller is known: its answer, and what it changed as it was before. */
    @FunctionalInterface
    interface Change {
        Changed run(ServerRequest request, Authority authority);
    }

    /**
     * What a change answers, and the thing it changed as the admin API showed it before, when it existed.
     *
     * @param answer the answer, which becomes the record's {@code after} without its secrets
     * @param before the thing before the change
     */
    record Changed(JsonNode answer, Optional<JsonNode> before) {
        static Changed created(JsonNode answer) {
            return new Changed(answer, Optional.empty());
        }
    }

    /** Fields of an answer never copied into the audit chain: a new key's secret. */
    private static final Set<String> SECRET_FIELDS = Set.of("key");
    /** Fields of an answer that name what a change touched, copied into the record's target. */
    private static final List<String> TARGET_FIELDS = List.of("id", "scope", "tenant", "team", "name", "key_id");

    /** A route that writes its own answer, such as a CSV download. */
    @FunctionalInterface
    interface Responder {
        void respond(ServerRequest request, Authority authority, ServerResponse response);
    }

    private static final Logger LOGGER = Logger.getLogger(AdminHandlers.class.getName());

    /** The header that makes an admin request use the console's session cookie (see {@link ConsoleSessions}). */
    private static final HeaderName CONSOLE = HeaderNames.create(ConsoleSessions.HEADER);

    private final Gateway gateway;
    private final ConsoleSessions sessions;

    AdminHandlers(Gateway gateway) {
        this.gateway = gateway;
        this.sessions = new ConsoleSessions(gateway.config().masterKey(), gateway.clocks().wall());
    }

    /** A route answering {@code action}'s JSON with {@code status}, for principals with a role {@code access} names. */
    Handler json(int status, Access access, Action action) {
        return handler(access, (request, authority, response) -> {
            JsonNode body = action.run(request, authority);
            response.status(Status.create(status));
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(bytes(body));
        });
    }

    /** A route for principals with a role {@code access} names; a read with the master key is recorded. */
    Handler handler(Access access, Responder responder) {
        return (request, response) -> {
            String id = AdminEvent.newId();
            Optional<Principal> admitted = admit(request, response, access, id);
            if (admitted.isEmpty()) {
                return;
            }
            Principal principal = admitted.get();
            int status = 200;
            try {
                responder.respond(request, Authority.of(principal), response);
            } catch (VeilException e) {
                status = e.status();
                ErrorResponder.send(response, e);
            } finally {
                if (principal.source() == Principal.Source.MASTER_KEY) {
                    recordQuietly(new AdminEvent(id, actor(principal, access), "admin.access",
                            Map.of("route", route(request)), Optional.empty(), Optional.empty(), status,
                            status < 400 ? "applied" : "refused"));
                }
            }
        };
    }

    /**
     * A route that changes Veil: its answer goes out only once the change is a record in the audit chain (who,
     * what, before and after without secrets, the outcome); a change refused by a check is recorded as refused. When
     * the record cannot be written, the change stands and the answer is a 503 {@code audit_unavailable} saying so.
     *
     * @param action the record's action, such as {@code key.create}
     */
    Handler change(int status, Access access, String action, Change change) {
        return (request, response) -> {
            String id = AdminEvent.newId();
            Optional<Principal> admitted = admit(request, response, access, id);
            if (admitted.isEmpty()) {
                return;
            }
            Principal principal = admitted.get();
            Changed changed;
            try {
                changed = change.run(request, Authority.of(principal));
            } catch (VeilException e) {
                recordQuietly(new AdminEvent(id, actor(principal, access), action, target(request, null),
                        Optional.empty(), Optional.empty(), e.status(),
                        "refused: " + e.code().orElse(e.kind().type())));
                ErrorResponder.send(response, e);
                return;
            }
            try {
                record(new AdminEvent(id, actor(principal, access), action, target(request, changed.answer()),
                        changed.before().map(AdminHandlers::recorded), Optional.of(recorded(changed.answer())),
                        status, "applied"));
            } catch (VeilException e) {
                LOGGER.severe(() -> "admin change " + id + " (" + action + ") was applied but could not be recorded "
                        + "in the audit log");
                ErrorResponder.send(response, new VeilException(ErrorKind.UNAVAILABLE, "The change was applied, "
                        + "but the audit log could not record it (request " + id + "); the operator's log says why")
                        .withCode("audit_unavailable"));
                return;
            }
            response.status(Status.create(status));
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(bytes(changed.answer()));
        };
    }

    /**
     * Records an audit export the admin API served ({@code audit.export}), by the caller of {@code request}; the
     * answer does not wait for it.
     */
    void recordExport(ServerRequest request, Authority authority, Map<String, String> range) {
        Principal principal = authority.principal();
        Map<String, String> target = new TreeMap<>(range);
        target.put("route", route(request));
        recordQuietly(new AdminEvent(AdminEvent.newId(), actor(principal, Access.AUDIT), "audit.export", target,
                Optional.empty(), Optional.empty(), 200, "applied"));
    }

    /** Names the answer {@code id} and authenticates its caller; empty, with the error answered, when refused. */
    private Optional<Principal> admit(ServerRequest request, ServerResponse response, Access access, String id) {
        response.header(VeilHeaders.REQUEST_ID, id);
        try {
            return Optional.of(authenticate(request, access));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
            return Optional.empty();
        }
    }

    private void record(AdminEvent event) {
        gateway.audit().ifPresent(log -> log.record(event));
    }

    /** For records of reads and refusals, whose answer does not wait: a failure is logged, not answered. */
    private void recordQuietly(AdminEvent event) {
        try {
            record(event);
        } catch (VeilException e) {
            LOGGER.severe(() -> "admin request " + event.requestId() + " (" + event.action() + ") could not be "
                    + "recorded in the audit log");
        }
    }

    private static AdminEvent.Actor actor(Principal principal, Access access) {
        Caller caller = principal.caller();
        return new AdminEvent.Actor("api", caller.keyId(), caller.user(),
                principal.source() == Principal.Source.MASTER_KEY ? Optional.empty() : Optional.of(caller.tenant()),
                access.granting(principal).map(Role::configName));
    }

    /** What a change touched: the route's path parameters and the ids its answer names. */
    private static Map<String, String> target(ServerRequest request, JsonNode answer) {
        Map<String, String> target = new TreeMap<>();
        for (String name : request.path().pathParameters().names()) {
            target.put(name, request.path().pathParameters().get(name));
        }
        target.put("route", route(request));
        if (answer != null) {
            for (String field : TARGET_FIELDS) {
                if (answer.path(field).isTextual()) {
                    target.putIfAbsent(field.equals("id") ? "key_id" : field, answer.get(field).textValue());
                }
            }
        }
        return target;
    }

    /** An answer as the audit chain keeps it: without secrets. */
    private static Map<String, Object> recorded(JsonNode answer) {
        Map<String, Object> fields = AdminJson.MAPPER.convertValue(answer,
                new TypeReference<Map<String, Object>>() { });
        fields.keySet().removeAll(SECRET_FIELDS);
        return fields;
    }

    private static String route(ServerRequest request) {
        return request.prologue().method().text() + " " + request.path().path();
    }

    /**
     * The admin principal of {@code request}, refused unless it holds a role {@code access} names. Every use of the
     * master key is logged with its route: it is the break-glass credential, and operators should see it used.
     */
    Principal authenticate(ServerRequest request, Access access) {
        Optional<String> apiKey = request.headers().first(MessagesEndpoint.API_KEY);
        Optional<String> authorization = request.headers().first(HeaderNames.AUTHORIZATION);
        if (apiKey.isEmpty() && authorization.isEmpty() && request.headers().contains(CONSOLE)) {
            authorization = request.headers().cookies().first(ConsoleSessions.COOKIE).asOptional()
                    .flatMap(sessions::open).map(credential -> "Bearer " + credential);
        }
        Principal principal = gateway.authenticator().authenticateAdmin(apiKey, authorization);
        String route = route(request);
        if (principal.source() == Principal.Source.MASTER_KEY) {
            LOGGER.info(() -> "admin API called with the master key (break-glass): " + route);
        }
        access.require(principal, route);
        return principal;
    }

    /** The request's body bound to {@code shape}. */
    <T> T body(ServerRequest request, Binder.Shape<T> shape) {
        return Binder.bind(RequestBodies.read(request, gateway.config().maxRequestBytes()), shape);
    }

    static byte[] bytes(JsonNode answer) {
        try {
            return AdminJson.MAPPER.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            throw new VeilException(ErrorKind.INTERNAL, "The answer could not be written", e);
        }
    }
}
