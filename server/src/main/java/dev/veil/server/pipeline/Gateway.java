package dev.veil.server.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

import dev.veil.server.accounting.Metering;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.audit.export.AuditStreaming;
import dev.veil.server.auth.Authenticator;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.conversations.Conversations;
import dev.veil.server.core.Clocks;
import dev.veil.server.core.SafeThrowables;
import dev.veil.server.dispatch.Dispatcher;
import dev.veil.server.dispatch.ModelResolver;
import dev.veil.server.plugins.PluginCatalog;
import dev.veil.server.plugins.PluginChain;
import dev.veil.server.policy.CatalogPublisher;
import dev.veil.server.policy.PolicyCheck;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.server.telemetry.RequestTelemetry;
import dev.veil.spi.plugin.ProviderInfo;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;

/**
 * The request path's collaborators, built from one config and shared by every endpoint: one snapshot of the running
 * configuration. A config reload builds another with {@link #reconfigure}, which shares what outlives a reload (the
 * audit log, the key store, conversations, the plugin catalogue) and opens the rest anew.
 *
 * @param config the validated config
 * @param providers the configured providers
 * @param authenticator checks client keys
 * @param resolver turns model names into candidates
 * @param dispatcher calls candidates with failover
 * @param catalog every plugin Veil can load
 * @param plugins the configured plugin chain
 * @param policy the policy check every request passes
 * @param catalogPublisher keeps the provider catalogue in OPA, when OPA is configured
 * @param telemetry request spans and metrics
 * @param audit the audit log, when one is configured
 * @param metering virtual keys, rate limits, budgets and spend
 * @param clocks the clocks every part of the request path reads
 * @param conversations the Responses API's conversation state
 * @param owned what this snapshot opened, closed in reverse order by {@link #retire} and {@link #close}
 * @param shared what every snapshot of one server shares, closed in reverse order by {@link #close} only
 */
public record Gateway(VeilConfig config, ProviderRegistry providers, Authenticator authenticator,
                      ModelResolver resolver, Dispatcher dispatcher, PluginCatalog catalog, PluginChain plugins,
                      PolicyCheck policy, Optional<CatalogPublisher> catalogPublisher, RequestTelemetry telemetry,
                      Optional<AuditLog> audit, Metering metering, Clocks clocks, Conversations conversations,
                      List<AutoCloseable> owned, List<AutoCloseable> shared)
        implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(Gateway.class.getName());

    /**
     * Opens everything {@code config} implies, telling time by {@code clocks}. If any part fails, the parts already
     * open are closed before the failure propagates, so a startup that fails half-way leaves no thread, connection,
     * file or class loader behind.
     */
    public static Gateway create(VeilConfig config, OpenTelemetry openTelemetry, Clocks clocks) {
        List<AutoCloseable> shared = new ArrayList<>();
        try {
            PluginCatalog catalog = own(shared, PluginCatalog.discover(config.pluginsDir()));
            Metering metering = own(shared, Metering.open(config.dataDir(), config.accounting(),
                    model -> Optional.empty(), clocks.wall()));
            Meter meter = openTelemetry.getMeter("dev.veil.server");
            DoubleHistogram commitLag = meter.histogramBuilder("veil.audit.commit.lag").setUnit("s")
                    .setExplicitBucketBoundariesAdvice(RequestTelemetry.SECONDS_BUCKETS)
                    .setDescription("Time from an audit record's creation to its commit").build();
            Optional<AuditLog> audit = audit(config, clocks, lag -> commitLag.record(lag / 1e3))
                    .map(log -> own(shared, log));
            audit.ifPresent(log -> own(shared, meter.gaugeBuilder("veil.audit.queue.depth").ofLongs()
                    .setUnit("{record}").setDescription("Audit records queued or waiting for their commit")
                    .buildWithCallback(depth -> depth.record(log.queued()))));
            audit.ifPresent(log -> own(shared, AuditStreaming.start(config.audit().orElseThrow(), log,
                    regions(config), meter, clocks.wall())));
            Conversations conversations = own(shared, Conversations.open(config.responses(), clocks,
                    audit.map(AuditLog::keys)));
            LOGGER.info(conversations::describe);
            return assemble(config, openTelemetry, clocks, catalog, metering, audit, conversations,
                    List.copyOf(shared));
        } catch (RuntimeException | Error e) {
            closeAll(shared);
            throw e;
        }
    }

    /**
     * A snapshot for {@code next}, sharing this one's audit log, key store, conversations and plugin catalogue, with
     * new providers, plugin instances, routes, prices and policy client. The keys that configure what is shared do
     * not change here (see {@link dev.veil.server.config.VeilConfig#restartOnlyChanges}); this one stays open.
     *
     * @throws dev.veil.server.config.ConfigException when a part of {@code next} fails its checks (a plugin's
     *                                                settings, say); nothing new is left open
     */
    public Gateway reconfigure(VeilConfig next, OpenTelemetry openTelemetry) {
        return assemble(next, openTelemetry, clocks, catalog, metering, audit, conversations, shared);
    }

    private static Gateway assemble(VeilConfig config, OpenTelemetry openTelemetry, Clocks clocks,
                                    PluginCatalog catalog, Metering sharedMetering, Optional<AuditLog> audit,
                                    Conversations conversations, List<AutoCloseable> shared) {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            ProviderRegistry providers = own(owned, ProviderRegistry.create(config, clocks));
            PluginChain plugins = own(owned, PluginChain.create(config.plugins(), catalog, config.dataDir(),
                    openTelemetry, config.providers().values().stream().map(p -> new ProviderInfo(p.name(),
                            p.kind().configName(), p.region(), p.zeroRetention())).toList(), clocks));
            ModelResolver resolver = new ModelResolver(config.models(), providers);
            Metering metering = sharedMetering.reconfigured(config.accounting(), resolver::find);
            PolicyCheck policy = own(owned, PolicyCheck.create(config.opa(), providers, metering.prices(),
                    openTelemetry, clocks.ticker()));
            Optional<CatalogPublisher> publisher = config.opa().map(opa -> own(owned,
                    CatalogPublisher.start(config, opa)));
            return new Gateway(config, providers, new Authenticator(config.masterKey(), metering.keys(),
                    config.auth(), clocks.wall()), resolver,
                    new Dispatcher(providers, openTelemetry, clocks.ticker()), catalog, plugins, policy, publisher,
                    new RequestTelemetry(openTelemetry, config), audit, metering, clocks, conversations,
                    List.copyOf(owned), shared);
        } catch (RuntimeException | Error e) {
            closeAll(owned);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T own(List<AutoCloseable> owned, T resource) {
        owned.add(resource);
        return resource;
    }

    /**
     * Closes everything the gateway opened, this snapshot's parts and then the shared ones, last opened first; one
     * failing to close does not keep others open.
     */
    @Override
    public void close() {
        closeAll(owned);
        closeAll(shared);
    }

    /**
     * Closes what this snapshot opened (providers' connections, plugin instances, the policy client) and leaves the
     * shared parts to the snapshot that replaced it; once no request holds this snapshot any more.
     */
    public void retire() {
        closeAll(owned);
    }

    private static void closeAll(List<AutoCloseable> owned) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            AutoCloseable resource = owned.get(i);
            try {
                resource.close();
            } catch (Exception | Error e) {
                LOGGER.warning(() -> resource.getClass().getSimpleName() + " failed to close: "
                        + SafeThrowables.describe(e));
            }
        }
    }

    private static Optional<AuditLog> audit(VeilConfig config, Clocks clocks, LongConsumer commitLagMillis) {
        if (config.audit().isEmpty()) {
            LOGGER.warning("veil.audit is not set: no audit log is kept; set it (see docs/audit.md) to record "
                    + "every request");
            return Optional.empty();
        }
        return Optional.of(AuditLog.open(config.audit().get(), clocks.wall(), commitLagMillis));
    }

    /** Each provider's configured region, for the audit export's records. */
    private static Map<String, String> regions(VeilConfig config) {
        Map<String, String> regions = new HashMap<>();
        config.providers().forEach((name, provider) -> provider.region().ifPresent(region -> regions.put(name,
                region)));
        return regions;
    }

    /** Ready to serve: without OPA, or fail-open, always; fail-closed, once OPA has the provider catalogue. */
    public boolean ready() {
        return catalogPublisher.isEmpty() || config.opa().orElseThrow().failOpen()
                || catalogPublisher.get().published();
    }
}
