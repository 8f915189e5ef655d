package dev.veil.server.console;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.auth.Authenticator;
import dev.veil.server.auth.ConsoleSessions;
import dev.veil.server.auth.Principal;
import dev.veil.server.auth.Role;
import dev.veil.server.pipeline.RequestBodies;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /console/session} signs in with an admin key or token, {@code DELETE} signs out: the credential is
 * checked as the admin API checks it, then sealed into the session cookie ({@link ConsoleSessions}), sent only to
 * {@code /admin/}, never readable by scripts, {@code Secure} when the request came over TLS.
 */
final class SessionCookie {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final ConsoleSessions sessions;
    private final Authenticator authenticator;

    SessionCookie(ConsoleSessions sessions, Authenticator authenticator) {
        this.sessions = sessions;
        this.authenticator = authenticator;
    }

    void signIn(ServerRequest request, ServerResponse response) {
        try {
            JsonNode body = JSON.readTree(RequestBodies.read(request, MAX_BODY_BYTES));
            String credential = body.path("credential").asText("").trim();
            if (credential.isEmpty()) {
                throw VeilException.invalidParam("credential", "credential: missing; an admin key or an admin token");
            }
            open(request, response, credential, authenticator.authenticateAdmin(Optional.empty(),
                    Optional.of("Bearer " + credential)));
        } catch (IOException e) {
            ErrorResponder.send(response, VeilException.invalidParam("credential", "The body must be JSON: "
                    + "{\"credential\": ...}"));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }

    void signOut(ServerRequest request, ServerResponse response) {
        response.header(HeaderNames.SET_COOKIE, cookie(request, "", 0));
        response.status(204).send();
    }

    /** Answers a sign-in of {@code principal} with its roles and the cookie that holds {@code credential}. */
    void open(ServerRequest request, ServerResponse response, String credential, Principal principal) {
        ObjectNode out = JSON.createObjectNode();
        principal.roles().stream().map(Role::configName).sorted().forEach(out.putArray("roles")::add);
        response.header(HeaderNames.SET_COOKIE, cookie(request, sessions.seal(credential),
                ConsoleSessions.LIFETIME.toSeconds()));
        response.header(HeaderNames.CACHE_CONTROL, "no-store");
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(out.toString());
    }

    private static String cookie(ServerRequest request, String value, long maxAgeSeconds) {
        return ConsoleSessions.COOKIE + "=" + value + "; Path=/admin; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Strict" + (request.isSecure() ? "; Secure" : "");
    }
}
