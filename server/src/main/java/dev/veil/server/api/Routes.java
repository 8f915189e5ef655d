package dev.veil.server.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.logging.Logger;

import dev.veil.server.api.anthropic.AnthropicErrorResponder;
import dev.veil.server.api.anthropic.MessagesEndpoint;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.core.Ticker;
import dev.veil.server.mcp.McpEndpoint;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.pipeline.RequestIds;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.server.telemetry.ThrottledLog;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Every route Veil serves, each declaring whether it can send data out of Veil. A route that reaches a provider must
 * be served by the request {@link Pipeline}, one that reaches a tool by the MCP gateway's {@link McpEndpoint}:
 * registering one with any other handler fails startup, so no surface can be added that skips policy, limits or
 * audit. Tests enumerate {@link #all()} to prove each
 * provider route enforces them.
 *
 * <p>A request no route takes is answered here, never by the framework's default: a 405 with {@code Allow} when its
 * path is one Veil serves with other methods, else a 404, both in the surface's error shape, and logged at most once
 * a minute per kind, so that scanners cannot flood the log.
 */
public final class Routes {
    private static final Logger LOGGER = Logger.getLogger(Routes.class.getName());

    /** Whether a route can send data out of Veil. */
    public enum Reach {
        /** Reaches a provider: it must run the pipeline. */
        PROVIDER,
        /** Reaches MCP servers' tools: it must be served by the MCP gateway, which decides every tool by policy. */
        TOOL,
        /** Answers from Veil's own state (health, models, admin, errors). */
        LOCAL
    }

    /**
     * One route.
     *
     * @param method its method
     * @param path its path pattern
     * @param reach whether it can send data out
     * @param handler what serves it
     */
    public record Route(Method method, String path, Reach reach, Handler handler) {
        @Override
        public String toString() {
            return method.text() + " " + path;
        }
    }

    private final List<Route> routes = new ArrayList<>();
    private final List<PathMatcher> matchers = new ArrayList<>();
    private final ThrottledLog log;

    /** No routes yet; the log of requests no route serves is throttled by {@code ticker}. */
    public Routes(Ticker ticker) {
        this.log = new ThrottledLog(LOGGER, ticker);
    }

    /** A {@code POST} route that reaches a provider, served by the pipeline. */
    public Routes egress(String path, Pipeline.Endpoint endpoint) {
        return add(new Route(Method.POST, path, Reach.PROVIDER, endpoint));
    }

    /** A route to MCP servers' tools, served by the MCP gateway's endpoint. */
    public Routes tool(Method method, String path, McpEndpoint endpoint) {
        return add(new Route(method, path, Reach.TOOL, endpoint));
    }

    /** A route answered by Veil itself (health, models, admin). */
    public Routes local(Method method, String path, Handler handler) {
        return add(new Route(method, path, Reach.LOCAL, handler));
    }

    /**
     * Adds {@code route}.
     *
     * @throws IllegalStateException when a provider route is not served by the pipeline, or a local one is
     */
    public Routes add(Route route) {
        boolean pipeline = route.handler() instanceof Pipeline.Endpoint;
        if (route.reach() == Reach.PROVIDER && !pipeline) {
            throw new IllegalStateException("route " + route + " reaches providers but is not served by the request "
                    + "pipeline, so it would skip policy, limits or audit; serve it through Pipeline");
        }
        if (route.reach() == Reach.TOOL && !(route.handler() instanceof McpEndpoint)) {
            throw new IllegalStateException("route " + route + " reaches tools but is not served by the MCP gateway, "
                    + "so it would skip policy, pinned definitions or audit; serve it through McpEndpoint");
        }
        if (route.reach() == Reach.LOCAL && (pipeline || route.handler() instanceof McpEndpoint)) {
            throw new IllegalStateException("route " + route + " runs the request pipeline or the MCP gateway but is "
                    + "declared local; declare it as reaching providers or tools");
        }
        routes.add(route);
        matchers.add(PathMatchers.create(route.path()));
        return this;
    }

    /** The routes in registration order. */
    public List<Route> all() {
        return List.copyOf(routes);
    }

    /** The route at {@code index} in registration order. */
    public Route get(int index) {
        return routes.get(index);
    }

    /** Registers every route on {@code routing}, in order, then the answer to requests none takes. */
    public void register(HttpRouting.Builder routing) {
        register(routing, (index, route) -> route.handler());
    }

    /**
     * As {@link #register(HttpRouting.Builder)}, each route served by what {@code serving} makes of it and its index:
     * a server whose routes are rebuilt on a config reload registers handlers that find the same route among the
     * running ones.
     */
    public void register(HttpRouting.Builder routing, BiFunction<Integer, Route, Handler> serving) {
        for (int i = 0; i < routes.size(); i++) {
            Route route = routes.get(i);
            routing.route(route.method(), route.path(), serving.apply(i, route));
        }
        routing.any(this::unmatched);
    }

    /** A 405 naming the methods the path takes, or a 404; in the Anthropic shape on its paths. */
    private void unmatched(ServerRequest request, ServerResponse response) {
        String path = request.path().path();
        Set<String> allowed = new LinkedHashSet<>();
        for (int i = 0; i < routes.size(); i++) {
            if (matchers.get(i).match(request.path()).accepted()) {
                allowed.add(routes.get(i).method().text());
            }
        }
        VeilException error;
        if (allowed.isEmpty()) {
            log.info("404", () -> "requests to paths Veil does not serve are answered 404");
            // The path is not quoted back: a client may have put anything in it, personal data included.
            error = new VeilException(ErrorKind.NOT_FOUND, "Unknown endpoint: Veil serves /v1/chat/completions, "
                    + "/v1/responses, /v1/embeddings, /v1/messages, /v1/messages/count_tokens and /v1/models").withCode("unknown_url");
        } else {
            log.info("405", () -> "requests with a method a path does not take are answered 405");
            String allow = String.join(", ", allowed);
            response.header(HeaderNames.ALLOW, allow);
            error = VeilException.clientError(405, ErrorKind.INVALID_REQUEST.type(), "Method not allowed; use "
                    + allow, "method_not_allowed", null);
        }
        String id = RequestIds.next();
        response.header(VeilHeaders.REQUEST_ID, id);
        if (path.startsWith("/v1/messages")) {
            response.header(MessagesEndpoint.ANTHROPIC_REQUEST_ID, id);
            AnthropicErrorResponder.send(response, error);
        } else if (path.equals("/mcp") || path.startsWith("/mcp/")) {
            McpEndpoint.refuse(response, error.status(), error.getMessage());
        } else {
            ErrorResponder.send(response, error);
        }
    }
}
