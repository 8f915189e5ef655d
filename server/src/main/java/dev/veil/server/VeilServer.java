package dev.veil.server;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.logging.Logger;

import dev.veil.server.admin.AdminApi;
import dev.veil.server.admin.AdminPluginsEndpoint;
import dev.veil.server.api.AdmissionFilter;
import dev.veil.server.api.HealthEndpoint;
import dev.veil.server.api.PolicyOffHeader;
import dev.veil.server.api.Routes;
import dev.veil.server.api.anthropic.MessagesEndpoint;
import dev.veil.server.api.openai.ChatCompletionsEndpoint;
import dev.veil.server.api.openai.EmbeddingsEndpoint;
import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.api.openai.ModelsEndpoint;
import dev.veil.server.api.responses.ResponsesEndpoint;
import dev.veil.server.api.responses.StoredResponsesEndpoint;
import dev.veil.server.audit.AdminEvent;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.ManagementConfig;
import dev.veil.server.config.McpConfig;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.console.Console;
import dev.veil.server.core.Clocks;
import dev.veil.server.core.SafeThrowables;
import dev.veil.server.listener.Http1xConnectionSelector;
import dev.veil.server.listener.ProtocolErrors;
import dev.veil.server.mcp.McpEndpoint;
import dev.veil.server.mcp.McpGateway;
import dev.veil.server.mcp.ProtectedResource;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.server.policy.CatalogPublisher;
import dev.veil.server.reload.ConfigWatcher;
import dev.veil.server.reload.ReloadMetrics;
import dev.veil.server.reload.ReloadResult;
import dev.veil.server.reload.RunningConfig;
import dev.veil.server.telemetry.PrometheusMetrics;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.opentelemetry.api.OpenTelemetry;

/**
 * A running Veil: the Helidon web server with Veil's routes, and the management listener (metrics, health) when
 * {@code veil.management} asks for one.
 */
public final class VeilServer implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(VeilServer.class.getName());
    /** What {@link #close} gives requests in flight: Helidon's own default grace period. */
    private static final Duration CLOSE_GRACE = Duration.ofMillis(500);

    private final WebServer server;
    private final Http1xConnectionSelector connections;
    private final Optional<WebServer> management;
    private final RunningConfig running;
    private final ReloadMetrics reloadMetrics;
    private final OpenTelemetry openTelemetry;
    private final AtomicBoolean stopping;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<ConfigWatcher> watchers = new CopyOnWriteArrayList<>();
    private final McpGateway mcp;

    private VeilServer(WebServer server, Http1xConnectionSelector connections, Optional<WebServer> management,
                       RunningConfig running, ReloadMetrics reloadMetrics, OpenTelemetry openTelemetry,
                       AtomicBoolean stopping, McpGateway mcp) {
        this.server = server;
        this.connections = connections;
        this.management = management;
        this.running = running;
        this.reloadMetrics = reloadMetrics;
        this.openTelemetry = openTelemetry;
        this.stopping = stopping;
        this.mcp = mcp;
    }

    /** Validates everything {@code config} implies, then starts listening, without tracing. */
    public static VeilServer start(VeilConfig config) {
        return start(config, OpenTelemetry.noop());
    }

    /** Validates everything {@code config} implies, then starts listening, tracing through {@code openTelemetry}. */
    public static VeilServer start(VeilConfig config, OpenTelemetry openTelemetry) {
        return start(config, openTelemetry, Clocks.system());
    }

    /**
     * Validates everything {@code config} implies, then starts listening, tracing through {@code openTelemetry} and
     * telling time by {@code clocks}: every component that reads time reads these.
     */
    public static VeilServer start(VeilConfig config, OpenTelemetry openTelemetry, Clocks clocks) {
        return start(config, openTelemetry, clocks, Optional.empty());
    }

    /**
     * As {@link #start(VeilConfig, OpenTelemetry, Clocks)}; the management listener serves {@code metrics}, which
     * must read the meter provider of {@code openTelemetry} (see
     * {@link dev.veil.server.telemetry.TelemetrySdk#create(Optional, Optional)}). Without them it serves the health
     * checks only.
     */
    public static VeilServer start(VeilConfig config, OpenTelemetry openTelemetry, Clocks clocks,
                                   Optional<PrometheusMetrics> metrics) {
        Gateway gateway = Gateway.create(config, openTelemetry, clocks);
        AtomicBoolean stopping = new AtomicBoolean();
        McpGateway mcp = null;
        try {
            mcp = McpGateway.start(config.mcp(), config.dataDir(), config.opa(),
                    gateway.conversations().pseudonyms(), gateway.audit(), openTelemetry, clocks.wall(),
                    clocks.ticker());
            RunningConfig running = new RunningConfig(new RunningConfig.Snapshot(gateway,
                    routes(gateway, stopping::get, mcp), clocks.wall().instant()));
            ProtocolErrors protocolErrors = ProtocolErrors.create(clocks.ticker());
            Http1xConnectionSelector connections = Http1xConnectionSelector.create(config.clientTimeouts(),
                    config.maxRequestBytes(), protocolErrors, clocks.ticker());
            WebServer server = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    // Stopping is Veil's (shutdown, close): Helidon's hook would close the listener on SIGTERM at
                    // once, and cut requests in flight after half a second.
                    .shutdownHook(false)
                    .shutdownGracePeriod(config.shutdown().deadline().plus(CLOSE_GRACE))
                    // Stream events are small writes; Nagle would hold each one back until the previous is
                    // acknowledged.
                    .connectionOptions(options -> options.tcpNoDelay(true))
                    // Bounded, so that an overload cannot exhaust file descriptors and kill the listening socket; the
                    // concurrent-request cap is Veil's own (AdmissionFilter), so refusals come in the API's error
                    // shape.
                    .maxTcpConnections(config.connectionLimits().connections())
                    // Helidon's own HTTP/1.1 selector answers HTTP/1.0 with 505, and load balancers' default health
                    // checks speak it; this one serves both versions (it replaces Helidon's, which must then not be
                    // discovered). It also reads every client under the header, body and idle timeouts, through the
                    // NIO sockets it needs to end a read that overran.
                    .protocolsDiscoverServices(false)
                    .useNio(true)
                    .addConnectionSelector(connections)
                    // Requests that fail below routing (unparseable, too long, another HTTP version) are answered in
                    // the API's error shape; Helidon passes its messages on only for them to be classified.
                    .directHandlers(protocolErrors.directHandlers())
                    .errorHandling(errors -> errors.includeEntity(true))
                    .routing(routing -> routing(routing, running, stopping))
                    .build()
                    .start();
            if (!server.isRunning()) {
                // Helidon logs a failed bind and returns a server that is not listening.
                throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
                        + "; is another process using the port? Set server.port (or VEIL_PORT) to a free one");
            }
            Optional<WebServer> management;
            try {
                // After the API listener: the management listener's readiness must not answer before it.
                management = config.management().map(settings -> management(settings, running, stopping, metrics));
            } catch (RuntimeException | Error e) {
                server.stop();
                throw e;
            }
            return new VeilServer(server, connections, management, running,
                    new ReloadMetrics(openTelemetry, running::current), openTelemetry, stopping, mcp);
        } catch (RuntimeException | Error e) {
            if (mcp != null) {
                mcp.close();
            }
            gateway.close();
            throw e;
        }
    }

    /**
     * The operators' listener: no key, no API, nothing a client sends reaches it; HTTP/1.0 and 1.1 as on the API
     * listener, since probes speak either.
     */
    private static WebServer management(ManagementConfig settings, RunningConfig running, AtomicBoolean stopping,
                                        Optional<PrometheusMetrics> metrics) {
        HealthEndpoint health = new HealthEndpoint(() -> running.current().gateway().ready(), stopping::get);
        // A listener's settings are the ones it started with, as for the API listener.
        Gateway started = running.current().gateway();
        ProtocolErrors protocolErrors = ProtocolErrors.create(started.clocks().ticker());
        WebServer server = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .shutdownHook(false)
                .maxTcpConnections(64)
                // The API listener's HTTP/1.x: load balancers' default health checks (HAProxy's option httpchk)
                // speak HTTP/1.0, which Helidon's own selector answers 505, so every replica would look down.
                .protocolsDiscoverServices(false)
                .useNio(true)
                .addConnectionSelector(Http1xConnectionSelector.create(started.config().clientTimeouts(),
                        started.config().maxRequestBytes(), protocolErrors, started.clocks().ticker()))
                .directHandlers(protocolErrors.directHandlers())
                .routing(routing -> {
                    routing.get("/health/live", health::live).get("/health/ready", health::ready);
                    metrics.ifPresent(m -> routing.get(settings.metricsPath(), m::handle));
                })
                .build()
                .start();
        if (!server.isRunning()) {
            throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port()
                    + " (veil.management); is another process using the port? Set veil.management.port to a free "
                    + "one");
        }
        return server;
    }

    /**
     * Veil's routes, behind its filters. Each request takes the running config once, before its route's handler runs,
     * and holds it until the handler returns (for a stream, when it has ended): a reload meanwhile changes nothing
     * for it. The filters read only keys that need a restart.
     */
    private static void routing(HttpRouting.Builder routing, RunningConfig running, AtomicBoolean stopping) {
        Gateway gateway = running.current().gateway();
        // While draining, every answer ends its connection, so that clients reconnect to a replica that stays.
        routing.addFilter((chain, request, response) -> {
            if (stopping.get()) {
                response.header(HeaderValues.CONNECTION_CLOSE);
            }
            chain.proceed();
        });
        routing.addFilter(new AdmissionFilter(gateway.config().connectionLimits().requests()));
        if (!gateway.policy().enabled()) {
            routing.addFilter(PolicyOffHeader.INSTANCE);
        }
        running.current().routes().register(routing, (index, route) -> (request, response) -> {
            try (RunningConfig.Lease lease = running.acquire()) {
                lease.snapshot().routes().get(index).handler().handle(request, response);
            }
        });
        routing.error(Throwable.class, ErrorResponder::unexpected);
    }

    /** Every route Veil serves, declaring which reach providers. */
    public static Routes routes(Gateway gateway) {
        return routes(gateway, () -> false, McpGateway.start(McpConfig.none(), gateway.config().dataDir(),
                Optional.empty(), gateway.conversations().pseudonyms(), Optional.empty(), OpenTelemetry.noop(),
                gateway.clocks().wall(), gateway.clocks().ticker()));
    }

    /** As {@link #routes(Gateway)}, not ready once {@code stopping} says so, the MCP routes served by {@code mcp}. */
    private static Routes routes(Gateway gateway, BooleanSupplier stopping, McpGateway mcp) {
        Pipeline pipeline = new Pipeline(gateway);
        HealthEndpoint health = new HealthEndpoint(gateway, stopping);
        ModelsEndpoint models = new ModelsEndpoint(gateway);
        AdminPluginsEndpoint adminPlugins = new AdminPluginsEndpoint(gateway);
        MessagesEndpoint messages = new MessagesEndpoint(gateway);
        ChatCompletionsEndpoint chat = new ChatCompletionsEndpoint(gateway);
        EmbeddingsEndpoint embeddings = new EmbeddingsEndpoint(gateway);
        ResponsesEndpoint responses = new ResponsesEndpoint(gateway);
        StoredResponsesEndpoint stored = new StoredResponsesEndpoint(gateway);
        Routes routes = new Routes(gateway.clocks().ticker())
                .egress("/v1/chat/completions", pipeline.chat(chat::surface))
                .egress("/v1/responses", pipeline.chat(responses::create))
                .local(Method.GET, "/v1/responses/{id}", stored::retrieve)
                .local(Method.DELETE, "/v1/responses/{id}", stored::delete)
                .local(Method.GET, "/v1/responses/{id}/input_items", stored::inputItems)
                .egress("/v1/embeddings", pipeline.embeddings(request -> embeddings))
                .egress("/v1/messages", pipeline.chat(messages::messages))
                .egress("/v1/messages/count_tokens", pipeline.countTokens(messages::countTokens))
                .local(Method.GET, "/v1/models", models::list)
                .local(Method.GET, "/v1/models/{+model}", models::retrieve)
                .local(Method.GET, "/health/live", health::live)
                .local(Method.GET, "/health/ready", health::ready)
                .local(Method.GET, "/admin/plugins", adminPlugins::list);
        McpEndpoint tools = new McpEndpoint(gateway, mcp);
        ProtectedResource metadata = new ProtectedResource(gateway.config().mcp(), gateway.config().auth());
        routes.tool(Method.POST, "/mcp", tools).tool(Method.DELETE, "/mcp", tools).tool(Method.GET, "/mcp", tools)
                .tool(Method.POST, "/mcp/{server}", tools).tool(Method.DELETE, "/mcp/{server}", tools)
                .tool(Method.GET, "/mcp/{server}", tools)
                .local(Method.GET, "/.well-known/oauth-protected-resource", metadata)
                .local(Method.GET, "/.well-known/oauth-protected-resource/mcp", metadata);
        AdminApi admin = new AdminApi(gateway, InstantSource.system());
        admin.routes(routes);
        admin.mcpRoutes(routes, mcp);
        new Console(gateway).routes(routes);
        return routes;
    }

    public int port() {
        return server.port();
    }

    /** The port of the management listener, when there is one. */
    public Optional<Integer> managementPort() {
        return management.map(WebServer::port);
    }

    /** The routes this server serves, as the running config builds them. */
    public Routes routes() {
        return running.current().routes();
    }

    /** The revision of the running config: the start of its text's SHA-256. */
    public String revision() {
        return running.current().revision();
    }

    /**
     * Reloads from {@code file}, as on SIGHUP: see {@link #reload(VeilConfig)}. A file that cannot be read or
     * parsed fails the reload like an invalid key.
     */
    public ReloadResult reload(Path file, Function<String, String> environment) {
        return reload(file, environment, "signal");
    }

    /**
     * As {@link #reload(Path, Function)}, and the outcome goes into the audit chain as a {@code config.reload}
     * record; {@code via} says what asked for it: {@code signal} (SIGHUP) or {@code watch} (the file changed).
     */
    private ReloadResult reload(Path file, Function<String, String> environment, String via) {
        String before = running.current().revision();
        VeilConfig next;
        ReloadResult result;
        String attempted = "unreadable";
        try {
            next = ConfigLoader.load(file, environment);
            attempted = next.revision();
            result = reload(next);
        } catch (ConfigException e) {
            result = failed(e.getMessage());
        }
        audit(via, file, before, attempted, result);
        return result;
    }

    private void audit(String via, Path file, String before, String attempted, ReloadResult result) {
        Optional<AuditLog> log = running.current().gateway().audit();
        if (log.isEmpty()) {
            return;
        }
        String outcome = switch (result.outcome()) {
            case SUCCEEDED -> "applied";
            case REFUSED -> "refused: " + result.message();
            case FAILED -> "failed: " + result.message();
        };
        try {
            log.get().record(new AdminEvent(AdminEvent.newId(), AdminEvent.Actor.system(via), "config.reload",
                    Map.of("file", file.toString(), "from_revision", before, "revision", attempted),
                    Optional.empty(), Optional.empty(), 0, outcome));
        } catch (VeilException e) {
            LOGGER.severe(() -> "the config reload (" + outcome + ") could not be recorded in the audit log");
        }
    }

    /**
     * Makes {@code next} the running config without dropping a request: providers, models and aliases, plugins and
     * their settings, prices, the master key, upstream settings and limits. Everything it implies is built and
     * checked first, off the request path; only when all of it stands does it replace the running config, at once
     * for every request that starts afterwards, while requests in flight finish on the config they started with.
     * A config that fails a check, or that changes a key only a restart changes
     * ({@link VeilConfig#restartOnlyChanges}), changes nothing; the log says which key and why, and
     * {@code veil.config.reloads} counts every outcome. The same text as the running config changes nothing either.
     */
    public synchronized ReloadResult reload(VeilConfig next) {
        RunningConfig.Snapshot current = running.current();
        if (stopping.get()) {
            return failed("Veil is shutting down");
        }
        if (next.revision().equals(current.revision())) {
            LOGGER.info("config reload: revision " + current.revision() + " is already running; nothing changed");
            return new ReloadResult(ReloadResult.Outcome.SUCCEEDED, current.revision(), "unchanged");
        }
        List<String> restartOnly = current.gateway().config().restartOnlyChanges(next);
        if (!restartOnly.isEmpty()) {
            String message = String.join(", ", restartOnly) + (restartOnly.size() == 1 ? " changed; it takes" : " "
                    + "changed; they take") + " effect only at startup, so restart Veil to change "
                    + (restartOnly.size() == 1 ? "it" : "them") + ", or undo the change to reload the rest";
            LOGGER.warning("config reload refused: " + message + "; revision " + current.revision()
                    + " keeps running");
            reloadMetrics.count(ReloadResult.Outcome.REFUSED);
            return new ReloadResult(ReloadResult.Outcome.REFUSED, current.revision(), message);
        }
        Gateway gateway;
        try {
            gateway = current.gateway().reconfigure(next, openTelemetry);
        } catch (ConfigException e) {
            return failed(e.getMessage());
        } catch (RuntimeException e) {
            return failed("the new config could not be started: " + SafeThrowables.describe(e));
        }
        Routes routes;
        try {
            routes = routes(gateway, stopping::get, mcp);
        } catch (RuntimeException | Error e) {
            gateway.retire();
            throw e;
        }
        try {
            running.replace(new RunningConfig.Snapshot(gateway, routes, gateway.clocks().wall().instant()));
        } catch (IllegalStateException e) {
            // Stopped while the new config was being built.
            gateway.retire();
            return failed("Veil is shutting down");
        }
        // At once, not when its last request ends: it would otherwise keep pushing the old catalogue over the new.
        current.gateway().catalogPublisher().ifPresent(CatalogPublisher::close);
        String message = "revision " + next.revision() + " runs (was " + current.revision() + ")";
        LOGGER.info("config reloaded: " + message);
        reloadMetrics.count(ReloadResult.Outcome.SUCCEEDED);
        return new ReloadResult(ReloadResult.Outcome.SUCCEEDED, next.revision(), message);
    }

    private ReloadResult failed(String reason) {
        String revision = running.current().revision();
        LOGGER.warning("config reload failed: " + reason + "; revision " + revision + " keeps running");
        reloadMetrics.count(ReloadResult.Outcome.FAILED);
        return new ReloadResult(ReloadResult.Outcome.FAILED, revision, reason);
    }

    /**
     * Reloads from {@code file} whenever it changes, as {@code veil.reload: watch} asks, until the returned watcher
     * is closed (stopping the server closes it too).
     */
    public ConfigWatcher watch(Path file, Function<String, String> environment) {
        ConfigWatcher watcher = ConfigWatcher.start(file, () -> reload(file, environment, "watch"));
        watchers.add(watcher);
        return watcher;
    }

    /**
     * Stops as on SIGTERM, per {@code veil.shutdown}: not ready at once (on both listeners; liveness stays up), every
     * answer then ends its connection; after the drain delay the API listener closes, so new connections are
     * refused; requests and streams in flight finish, until the deadline at most; then the gateway closes, which
     * commits what the audit log holds, and last the management listener. Returns when all that is done.
     */
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        Duration drainDelay = running.current().gateway().config().shutdown().drainDelay();
        Duration deadline = running.current().gateway().config().shutdown().deadline();
        LOGGER.info("shutting down: not ready; the listener closes in " + drainDelay.toMillis() + " ms, then "
                + "requests in flight have " + deadline.toMillis() + " ms to finish");
        try {
            Thread.sleep(drainDelay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(deadline);
        LOGGER.info("shut down");
    }

    /**
     * Stops at once: the listener closes, requests in flight get half a second, then everything the gateway owns
     * closes (the audit log commits what it holds).
     */
    @Override
    public void close() {
        stopping.set(true);
        stop(CLOSE_GRACE);
    }

    private void stop(Duration grace) {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        watchers.forEach(ConfigWatcher::close);
        try {
            connections.drain();
            Thread cutoff = Thread.ofVirtual().name("veil-stop-deadline").start(() -> {
                try {
                    Thread.sleep(grace);
                    connections.abort();
                } catch (InterruptedException e) {
                    // Stopped in time.
                }
            });
            try {
                server.stop();
            } finally {
                cutoff.interrupt();
            }
        } finally {
            try {
                reloadMetrics.close();
                mcp.close();
                running.close();
            } finally {
                management.ifPresent(WebServer::stop);
            }
        }
    }
}
