package dev.veil.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Veil's validated configuration.
 *
 * @param host the address to listen on
 * @param port the port to listen on; 0 picks a free one
 * @param masterKey the key clients present as {@code Authorization: Bearer}
 * @param dataDir where Veil keeps its state
 * @param maxRequestBytes the largest request body accepted
 * @param maxUpstreamResponseBytes the largest non-streamed upstream answer accepted
 * @param maxUpstreamEventBytes the largest event (or line) of an upstream's server-sent event stream accepted
 * @param connectTimeout how long to wait for a connection to any provider
 * @param upstreamIdleTimeout how long a kept-alive connection to a provider may sit unused and still be reused
 * @param upstreamCaFile a PEM file of CA certificates trusted for providers besides the JDK's
 * @param providers configured providers by name, ordered by name
 * @param models model aliases by public name, ordered by name
 * @param plugins the plugin chain, in config order
 * @param pluginsDir where drop-in plugin JARs are looked for
 * @param opa the policy engine, when policy checks are on
 * @param telemetry where traces and metrics go, when config says
 * @param audit the audit log, when one is kept
 * @param accounting prices, budget alerts and spend flushing for virtual keys
 * @param connectionLimits how many client connections and requests Veil takes at once
 * @param clientTimeouts how long Veil waits for a client to send a request, or its next one
 */
public record VeilConfig(
        String host,
        int port,
        Secret masterKey,
        Path dataDir,
        long maxRequestBytes,
        long maxUpstreamResponseBytes,
        int maxUpstreamEventBytes,
        Duration connectTimeout,
        Duration upstreamIdleTimeout,
        Optional<Path> upstreamCaFile,
        Map<String, ProviderConfig> providers,
        Map<String, ModelAlias> models,
        List<PluginEntry> plugins,
        Optional<Path> pluginsDir,
        Optional<OpaConfig> opa,
        Optional<TelemetryConfig> telemetry,
        Optional<AuditConfig> audit,
        AccountingConfig accounting,
        ConnectionLimits connectionLimits,
        ClientTimeouts clientTimeouts) {

    /** The default largest request body: images travel inline as base64, so this is generous. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;
    public static final long DEFAULT_MAX_UPSTREAM_RESPONSE_BYTES = 256L * 1024 * 1024;
    /** Far above any event a provider sends (a whole generated image fits), and a cap on what one stream holds. */
    public static final int DEFAULT_MAX_UPSTREAM_EVENT_BYTES = 16 * 1024 * 1024;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Below the idle timeouts of common NAT gateways and load balancers (60 s and more). */
    public static final Duration DEFAULT_UPSTREAM_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Reasoning models may think for minutes before their first byte; OpenAI's own SDKs wait ten. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMinutes(10);

    public VeilConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(masterKey, "masterKey");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(upstreamIdleTimeout, "upstreamIdleTimeout");
        Objects.requireNonNull(upstreamCaFile, "upstreamCaFile");
        providers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(providers));
        models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
        plugins = List.copyOf(plugins);
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(opa, "opa");
        Objects.requireNonNull(telemetry, "telemetry");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(accounting, "accounting");
        Objects.requireNonNull(connectionLimits, "connectionLimits");
        Objects.requireNonNull(clientTimeouts, "clientTimeouts");
    }
}
