package dev.veil.server.admin;

import java.time.InstantSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.accounting.Keys;
import dev.veil.server.api.Routes;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

/**
 * {@code /admin/keys/{id}}: reading, rotating (the new secret is in this answer only) and revoking one key of a
 * tenant the caller manages. Another tenant's key is a 404, like an id that does not exist.
 */
final class KeyResource {
    private final AdminHandlers handlers;
    private final Keys keys;
    private final InstantSource clock;

    KeyResource(AdminHandlers handlers, Keys keys, InstantSource clock) {
        this.handlers = handlers;
        this.keys = keys;
        this.clock = clock;
    }

    void routes(Routes routes) {
        routes.local(Method.GET, "/admin/keys/{id}", handlers.json(200, Access.KEYS, this::get))
                .local(Method.POST, "/admin/keys/{id}/rotate", handlers.json(200, Access.KEYS, this::rotate))
                .local(Method.POST, "/admin/keys/{id}/revoke", handlers.json(200, Access.KEYS, this::revoke))
                .local(Method.DELETE, "/admin/keys/{id}", handlers.json(200, Access.KEYS, this::revoke));
    }

    private JsonNode get(ServerRequest request, Authority authority) {
        return AdminJson.key(authority.key(keys, id(request)), clock.instant());
    }

    private JsonNode rotate(ServerRequest request, Authority authority) {
        String id = id(request);
        authority.key(keys, id);
        Keys.Issued issued = keys.rotate(id).orElseThrow(() -> keys.find(id).isPresent()
                ? VeilException.clientError(409, ErrorKind.INVALID_REQUEST.type(), "Key " + id + " is revoked; "
                        + "create a new key instead", "key_revoked", null)
                : Authority.keyNotFound(id));
        ObjectNode out = AdminJson.key(issued.key(), clock.instant());
        out.put("key", issued.secret());
        return out;
    }

    private JsonNode revoke(ServerRequest request, Authority authority) {
        String id = id(request);
        authority.key(keys, id);
        return AdminJson.key(keys.revoke(id).orElseThrow(() -> Authority.keyNotFound(id)), clock.instant());
    }

    private static String id(ServerRequest request) {
        return request.path().pathParameters().get("id");
    }
}
