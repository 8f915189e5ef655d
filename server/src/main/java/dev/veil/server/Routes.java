package dev.veil.server;

import java.util.ArrayList;
import java.util.List;

import dev.veil.server.api.Pipeline;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;

/**
 * Every route Veil serves, each declaring whether it can send data out of Veil. A route that reaches a provider (or,
 * later, a tool) must be served by the request {@link Pipeline}: registering one with any other handler fails startup,
 * so no surface can be added that skips policy, limits or audit. Tests enumerate {@link #all()} to prove each
 * provider route enforces them.
 */
public final class Routes {
    /** Whether a route can send data out of Veil. */
    public enum Reach {
        /** Reaches a provider: it must run the pipeline. */
        PROVIDER,
        /** Answers from Veil's own state (health, models, admin, errors). */
        LOCAL
    }

    /**
     * One route.
     *
     * @param method its method, or empty for any method
     * @param path its path pattern
     * @param reach whether it can send data out
     * @param handler what serves it
     */
    public record Route(java.util.Optional<Method> method, String path, Reach reach, Handler handler) {
        @Override
        public String toString() {
            return method.map(Method::text).orElse("*") + " " + path;
        }
    }

    private final List<Route> routes = new ArrayList<>();
    private final List<HttpService> services = new ArrayList<>();

    /** A {@code POST} route that reaches a provider, served by the pipeline. */
    public Routes egress(String path, Pipeline.Endpoint endpoint) {
        return add(new Route(java.util.Optional.of(Method.POST), path, Reach.PROVIDER, endpoint));
    }

    /** A route answered by Veil itself. */
    public Routes local(Method method, String path, Handler handler) {
        return add(new Route(java.util.Optional.of(method), path, Reach.LOCAL, handler));
    }

    /** A route for any method answered by Veil itself (405s and 404s). */
    public Routes anyLocal(String path, Handler handler) {
        return add(new Route(java.util.Optional.empty(), path, Reach.LOCAL, handler));
    }

    /** A service of local routes, such as the admin API. */
    public Routes localService(HttpService service) {
        services.add(service);
        return this;
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
        if (route.reach() == Reach.LOCAL && pipeline) {
            throw new IllegalStateException("route " + route + " runs the request pipeline but is declared local; "
                    + "declare it as reaching providers");
        }
        routes.add(route);
        return this;
    }

    /** The routes in registration order (services' own routes are not listed: they are all local). */
    public List<Route> all() {
        return List.copyOf(routes);
    }

    /** Registers every route on {@code routing}, in order. */
    void register(HttpRouting.Builder routing) {
        for (Route route : routes) {
            if (route.method().isPresent()) {
                routing.route(route.method().get(), route.path(), route.handler());
            } else {
                routing.any(route.path(), route.handler());
            }
        }
        services.forEach(routing::register);
    }
}
