package dev.veil.server.admin;

import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.api.anthropic.MessagesEndpoint;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.auth.Principal;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.RequestBodies;
import dev.veil.server.pipeline.RequestIds;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What every admin route does around its resource: a request id, the caller authenticated as the master key, an
 * admin-scoped key or a token, its role checked against the route's {@link Access}, the answer, and any
 * {@link VeilException} in the OpenAI error shape. Bodies are read under {@code veil.limits.max-request-bytes} (413
 * past it) and bound to their request records by {@link Binder}.
 */
final class AdminHandlers {
    /** A route's work once its caller is known; what it throws is the error answer. */
    @FunctionalInterface
    interface Action {
        JsonNode run(ServerRequest request, Authority authority);
    }

    /** A route that writes its own answer, such as a CSV download. */
    @FunctionalInterface
    interface Responder {
        void respond(ServerRequest request, Authority authority, ServerResponse response);
    }

    private static final Logger LOGGER = Logger.getLogger(AdminHandlers.class.getName());

    private final Gateway gateway;

    AdminHandlers(Gateway gateway) {
        this.gateway = gateway;
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

    /** A route for principals with a role {@code access} names. */
    Handler handler(Access access, Responder responder) {
        return (request, response) -> {
            response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
            try {
                Principal principal = authenticate(request, access);
                responder.respond(request, Authority.of(principal), response);
            } catch (VeilException e) {
                ErrorResponder.send(response, e);
            }
        };
    }

    /**
     * The admin principal of {@code request}, refused unless it holds a role {@code access} names. Every use of the
     * master key is logged with its route: it is the break-glass credential, and operators should see it used.
     */
    Principal authenticate(ServerRequest request, Access access) {
        Principal principal = gateway.authenticator().authenticateAdmin(
                request.headers().first(MessagesEndpoint.API_KEY), request.headers().first(HeaderNames.AUTHORIZATION));
        String route = request.prologue().method().text() + " " + request.path().path();
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
