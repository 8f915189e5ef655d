package dev.veil.server.console;

import java.util.Optional;

import dev.veil.server.api.Routes;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.auth.ConsoleSessions;
import dev.veil.server.pipeline.Gateway;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The operator console under {@code /console}: a page and its scripts and styles, all from the classpath, so it
 * works with no network beyond Veil. Everything it shows and changes goes through the admin API, whose roles decide
 * what each caller sees; the console only hides what the API would refuse. A person signs in with an admin key or
 * through the company IdP ({@code veil.console.oidc}); either way the credential is sealed into an HttpOnly session
 * cookie ({@link dev.veil.server.auth.ConsoleSessions}) that page scripts cannot read. Its content security policy
 * allows scripts, styles and requests to Veil itself only, and no inline script; every file is revalidated by its
 * entity tag, so an upgrade is seen at once. Contract: docs/console.md.
 */
public final class Console {
    /** Scripts, styles and requests only from Veil; nothing inline, no frames, no plugins, no forms elsewhere. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            + "base-uri 'none'";
    private static final String PAGE = "index.html";

    private final ConsoleAssets assets = new ConsoleAssets();
    private final SessionCookie session;
    private final OidcSignIn oidc;

    /** The console of {@code gateway}: its {@code veil.console} sign-in, its tokens checked by its authenticator. */
    public Console(Gateway gateway) {
        this.session = new SessionCookie(new ConsoleSessions(gateway.config().masterKey(), gateway.clocks().wall()),
                gateway.authenticator());
        this.oidc = new OidcSignIn(gateway.config().console().oidc(), gateway.authenticator(), session);
    }

    /** Adds the console's routes, all local, to {@code routes}. */
    public void routes(Routes routes) {
        routes.local(Method.POST, "/console/session", session::signIn)
                .local(Method.DELETE, "/console/session", session::signOut)
                .local(Method.GET, "/console/oidc", oidc::settings)
                .local(Method.POST, "/console/oidc/token", oidc::token)
                .local(Method.GET, "/console", (request, response) -> serve(request, response, PAGE))
                .local(Method.GET, "/console/", (request, response) -> serve(request, response, PAGE))
                .local(Method.GET, "/console/{name}", (request, response) -> serve(request, response,
                        request.path().pathParameters().get("name")));
    }

    private void serve(ServerRequest request, ServerResponse response, String name) {
        Optional<ConsoleAssets.Asset> found = assets.find(name);
        if (found.isEmpty()) {
            ErrorResponder.send(response, new VeilException(ErrorKind.NOT_FOUND, "The console has no such file")
                    .withCode("unknown_url"));
            return;
        }
        ConsoleAssets.Asset asset = found.get();
        response.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
        response.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        response.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        response.header(HeaderNames.create("X-Frame-Options"), "DENY");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        response.header(HeaderNames.ETAG, asset.etag());
        if (request.headers().first(HeaderNames.IF_NONE_MATCH).map(asset.etag()::equals).orElse(false)) {
            response.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        response.header(HeaderNames.CONTENT_TYPE, asset.contentType());
        response.send(asset.bytes());
    }
}
