package dev.veil.server.console;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.auth.Authenticator;
import dev.veil.server.config.ConsoleConfig;
import dev.veil.server.pipeline.RequestBodies;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The console's sign-in through the company IdP: OpenID Connect authorization code with PKCE. The browser makes the
 * verifier and goes to the IdP; Veil's server exchanges the code at the IdP's token endpoint (with the client secret,
 * when the IdP has one for the console), checks the access token as every admin token is checked (its
 * {@code veil.auth.jwt} issuer, signature, expiry, audience, and at least one admin role), and only then seals it
 * into the session cookie. Neither the code nor any token is logged or shown to the page.
 */
final class OidcSignIn {
    private static final Logger LOGGER = Logger.getLogger(OidcSignIn.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_BODY_BYTES = 64 * 1024;

    /** What discovery says of the IdP: where the browser signs in and where Veil exchanges the code. */
    private record Endpoints(URI authorization, URI token) {
    }

    private final Optional<ConsoleConfig.Oidc> config;
    private final Authenticator authenticator;
    private final SessionCookie session;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicReference<Endpoints> discovered = new AtomicReference<>();

    OidcSignIn(Optional<ConsoleConfig.Oidc> config, Authenticator authenticator, SessionCookie session) {
        this.config = config;
        this.authenticator = authenticator;
        this.session = session;
    }

    /** {@code GET /console/oidc}: whether the IdP sign-in is on, and what the page sends the browser to. */
    void settings(ServerRequest request, ServerResponse response) {
        ObjectNode out = JSON.createObjectNode();
        try {
            if (config.isEmpty()) {
                out.put("enabled", false);
            } else {
                ConsoleConfig.Oidc oidc = config.get();
                out.put("enabled", true).put("name", oidc.name())
                        .put("authorization_endpoint", endpoints().authorization().toString())
                        .put("client_id", oidc.clientId()).put("redirect_uri", redirectUri(request))
                        .put("scope", oidc.scope());
            }
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
            return;
        }
        response.header(HeaderNames.CACHE_CONTROL, "no-store");
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(out.toString());
    }

    /**
     * {@code POST /console/oidc/token} with {@code {code, code_verifier}}: a session on the IdP's access token for
     * this code, once Veil accepts it as an admin token; the token stays in the session cookie, out of the page.
     */
    void token(ServerRequest request, ServerResponse response) {
        try {
            ConsoleConfig.Oidc oidc = config.orElseThrow(() -> new VeilException(ErrorKind.NOT_FOUND, "This Veil "
                    + "has no veil.console.oidc; sign in with an admin key").withCode("oidc_not_configured"));
            JsonNode body = JSON.readTree(RequestBodies.read(request, MAX_BODY_BYTES));
            String code = text(body, "code");
            String verifier = text(body, "code_verifier");
            Map<String, String> form = new LinkedHashMap<>();
            form.put("grant_type", "authorization_code");
            form.put("code", code);
            form.put("redirect_uri", redirectUri(request));
            form.put("client_id", oidc.clientId());
            form.put("code_verifier", verifier);
            oidc.clientSecret().ifPresent(secret -> form.put("client_secret", secret.reveal()));
            JsonNode tokens = post(endpoints().token(), form);
            String accessToken = tokens.path("access_token").asText("");
            if (accessToken.isEmpty()) {
                throw new VeilException(ErrorKind.AUTHENTICATION, "The IdP answered without an access token")
                        .withCode("oidc_failed");
            }
            session.open(request, response, accessToken, authenticator.authenticateAdmin(Optional.empty(),
                    Optional.of("Bearer " + accessToken)));
        } catch (IOException e) {
            ErrorResponder.send(response, VeilException.invalidParam("code", "The body must be JSON: "
                    + "{\"code\": ..., \"code_verifier\": ...}"));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }

    private static String text(JsonNode body, String field) {
        String value = body.path(field).asText("");
        if (value.isBlank() || value.length() > 4096) {
            throw VeilException.invalidParam(field, field + ": missing or too long");
        }
        return value;
    }

    /** The configured redirect URI, or the console's address as the browser reached it. */
    private String redirectUri(ServerRequest request) {
        return config.flatMap(ConsoleConfig.Oidc::redirectUri).map(URI::toString).orElseGet(() -> {
            String host = request.headers().first(HeaderNames.HOST).orElse(request.localPeer().host() + ":"
                    + request.localPeer().port());
            return (request.isSecure() ? "https" : "http") + "://" + host + "/console/";
        });
    }

    private Endpoints endpoints() {
        Endpoints known = discovered.get();
        if (known != null) {
            return known;
        }
        URI issuer = config.orElseThrow().issuer();
        URI url = URI.create(issuer + "/.well-known/openid-configuration");
        try {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IOException("status " + answer.statusCode());
            }
            JsonNode document = JSON.readTree(answer.body());
            Endpoints endpoints = new Endpoints(URI.create(document.path("authorization_endpoint").asText()),
                    URI.create(document.path("token_endpoint").asText()));
            if (!endpoints.authorization().isAbsolute() || !endpoints.token().isAbsolute()) {
                throw new IOException("no authorization_endpoint or token_endpoint");
            }
            discovered.set(endpoints);
            return endpoints;
        } catch (IOException | IllegalArgumentException e) {
            LOGGER.warning(() -> "the IdP's discovery document " + url + " could not be read: " + e.getMessage());
            throw unavailable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
    }

    private JsonNode post(URI url, Map<String, String> form) {
        String body = form.entrySet().stream().map(entry -> URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8)
                + "=" + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        try {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(url).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 400 || answer.statusCode() == 401) {
                throw new VeilException(ErrorKind.AUTHENTICATION, "The IdP refused the sign-in code ("
                        + JSON.readTree(answer.body()).path("error").asText("no reason given")
                        + "); sign in again").withCode("oidc_failed");
            }
            if (answer.statusCode() != 200) {
                throw new IOException("status " + answer.statusCode());
            }
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            LOGGER.warning(() -> "the IdP's token endpoint " + url + " failed: " + e.getClass().getSimpleName());
            throw unavailable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
    }

    private static VeilException unavailable() {
        return new VeilException(ErrorKind.UNAVAILABLE, "The IdP cannot be reached for the console's sign-in; "
                + "the operator's log says why").withCode("oidc_unavailable");
    }
}
