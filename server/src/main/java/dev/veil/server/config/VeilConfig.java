package dev.veil.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 * @param responses the conversation state kept for the Responses API
 * @param management the operators' listener (metrics, health), when one is configured
 * @param shutdown how Veil drains and stops on SIGTERM
 * @param reload what besides SIGHUP reloads the config file
 * @param auth who may call besides the master key and virtual keys ({@code veil.auth}: JWT issuers)
 * @param mcp the MCP gateway's upstream servers and limits ({@code veil.mcp})
 * @param console the operator console's sign-in ({@code veil.console})
 * @param revision the first 12 hex digits of the SHA-256 of the config's text, before environment references are
 *                 substituted: which version of the file runs
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
        ClientTimeouts clientTimeouts,
        ResponsesConfig responses,
        Optional<ManagementConfig> management,
        ShutdownConfig shutdown,
        ReloadMode reload,
        AuthConfig auth,
        McpConfig mcp,
        ConsoleConfig console,
        String revision) {

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
    private static final Set<String> SERVER_KEYS = Set.of("host", "port");
    private static final Set<String> VEIL_KEYS = Set.of("master-key", "data-dir", "limits", "upstream", "providers",
            "models", "plugins", "plugins-dir", "opa", "telemetry", "audit", "prices", "alerts", "accounting",
            "responses", "management", "shutdown", "reload", "store", "node-id", "auth", "mcp", "console");
    private static final Set<String> LIMIT_KEYS = Set.of("max-request-bytes", "max-upstream-response-bytes",
            "max-upstream-event-bytes", "max-connections", "max-concurrent-requests", "header-timeout",
            "body-idle-timeout", "body-timeout", "idle-timeout", "shared");
    private static final Set<String> UPSTREAM_KEYS = Set.of("connect-timeout", "read-timeout", "idle-timeout",
            "ca-file");

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
        Objects.requireNonNull(responses, "responses");
        Objects.requireNonNull(management, "management");
        Objects.requireNonNull(shutdown, "shutdown");
        Objects.requireNonNull(reload, "reload");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(mcp, "mcp");
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(revision, "revision");
    }

    /**
     * The keys whose values differ between this config and {@code next} but take effect only at startup: what the
     * listeners, the data directory, the audit log, the policy engine, telemetry, conversations and the spend writer
     * were built from. A reload to {@code next} is refused while this is not empty. Everything else (providers,
     * models, plugins and their settings, prices, the master key, upstream settings and limits) reloads.
     */
    public List<String> restartOnlyChanges(VeilConfig next) {
        List<String> changed = new ArrayList<>();
        differs(changed, "server.host", host, next.host);
        differs(changed, "server.port", port, next.port);
        differs(changed, "veil.data-dir", dataDir, next.dataDir);
        differs(changed, "veil.limits.max-request-bytes", maxRequestBytes, next.maxRequestBytes);
        differs(changed, "veil.limits.max-connections", connectionLimits.connections(),
                next.connectionLimits.connections());
        differs(changed, "veil.limits.max-concurrent-requests", connectionLimits.requests(),
                next.connectionLimits.requests());
        differs(changed, "veil.limits.header-timeout", clientTimeouts.header(), next.clientTimeouts.header());
        differs(changed, "veil.limits.body-idle-timeout", clientTimeouts.bodyIdle(), next.clientTimeouts.bodyIdle());
        differs(changed, "veil.limits.body-timeout", clientTimeouts.body(), next.clientTimeouts.body());
        differs(changed, "veil.limits.idle-timeout", clientTimeouts.idle(), next.clientTimeouts.idle());
        differs(changed, "veil.plugins-dir", pluginsDir, next.pluginsDir);
        differs(changed, "veil.opa", opa, next.opa);
        differs(changed, "veil.telemetry", telemetry, next.telemetry);
        differs(changed, "veil.audit", audit, next.audit);
        differs(changed, "veil.responses", responses, next.responses);
        differs(changed, "veil.management", management, next.management);
        differs(changed, "veil.shutdown", shutdown, next.shutdown);
        differs(changed, "veil.reload", reload, next.reload);
        differs(changed, "veil.alerts", List.of(accounting.alertWebhook(), accounting.alertTimeout()),
                List.of(next.accounting.alertWebhook(), next.accounting.alertTimeout()));
        differs(changed, "veil.accounting.flush-interval", accounting.flushInterval(),
                next.accounting.flushInterval());
        differs(changed, "veil.store", accounting.store(), next.accounting.store());
        differs(changed, "veil.limits.shared", accounting.sharedLimits(), next.accounting.sharedLimits());
        differs(changed, "veil.mcp", mcp, next.mcp);
        return List.copyOf(changed);
    }

    private static void differs(List<String> changed, String key, Object running, Object next) {
        if (!Objects.equals(running, next)) {
            changed.add(key);
        }
    }

    /**
     * The whole config: {@code server} and {@code veil}, each section parsed by its own type; {@code revision} names
     * the text it came from.
     */
    static VeilConfig from(ConfigReader root, String revision) {
        ConfigReader server = root.get("server").rejectUnknown(SERVER_KEYS);
        String host = server.string("host").orElse("127.0.0.1");
        int port = server.integer("port").orElse(8080);
        if (port < 0 || port > 65535) {
            throw server.invalid("port", "must be between 0 and 65535, got " + port);
        }

        ConfigReader veil = root.get("veil");
        if (!veil.exists()) {
            throw veil.invalid("missing; a config needs at least veil.master-key and veil.providers");
        }
        veil.rejectUnknown(VEIL_KEYS);
        String masterKey = veil.string("master-key").orElseThrow(() -> veil.invalid("master-key",
                "missing; set it, for example master-key: ${VEIL_MASTER_KEY}"));
        if (masterKey.length() < 8) {
            throw veil.invalid("master-key", "too short; use at least 8 characters (32 random ones are better)");
        }
        Path dataDir = Path.of(veil.string("data-dir").orElse(".veil"));

        ConfigReader limits = veil.get("limits").rejectUnknown(LIMIT_KEYS);
        ConnectionLimits connectionLimits = ConnectionLimits.from(limits);
        long maxRequestBytes = limits.size("max-request-bytes").orElse(DEFAULT_MAX_REQUEST_BYTES);
        long maxUpstreamBytes = limits.size("max-upstream-response-bytes").orElse(DEFAULT_MAX_UPSTREAM_RESPONSE_BYTES);
        long maxUpstreamEventBytes = limits.size("max-upstream-event-bytes")
                .orElse((long) DEFAULT_MAX_UPSTREAM_EVENT_BYTES);
        if (maxUpstreamEventBytes < 1024 || maxUpstreamEventBytes > 1L << 30) {
            throw limits.invalid("max-upstream-event-bytes", "must be between 1KiB and 1GiB, got "
                    + maxUpstreamEventBytes + "; the default is 16MiB");
        }
        ClientTimeouts clientTimeouts = ClientTimeouts.from(limits);

        ConfigReader upstream = veil.get("upstream").rejectUnknown(UPSTREAM_KEYS);
        Duration connectTimeout = upstream.duration("connect-timeout").orElse(DEFAULT_CONNECT_TIMEOUT);
        Duration readTimeout = upstream.duration("read-timeout").orElse(DEFAULT_READ_TIMEOUT);
        Duration idleTimeout = upstream.duration("idle-timeout").orElse(DEFAULT_UPSTREAM_IDLE_TIMEOUT);
        if (idleTimeout.isNegative()) {
            throw upstream.invalid("idle-timeout", "must not be negative; 0 closes every connection to a provider "
                    + "after one request, the default is 30s");
        }
        Optional<Path> caFile = upstream.string("ca-file").map(Path::of);

        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        for (ConfigReader node : veil.entries("providers")) {
            providers.put(node.name(), ProviderConfig.from(node, readTimeout));
        }
        if (providers.isEmpty()) {
            throw veil.invalid("providers", "no provider configured; add one, for example "
                    + "openai: {kind: openai, api-key: \"${OPENAI_API_KEY}\"}");
        }
        Map<String, ModelAlias> models = new LinkedHashMap<>();
        for (ConfigReader node : veil.entries("models")) {
            models.put(node.name(), ModelAlias.from(node, providers.keySet()));
        }
        List<PluginEntry> plugins = new ArrayList<>();
        List<ConfigReader> entries = veil.items("plugins", "must be a list of plugin entries, for example "
                + "[{name: pii-redaction}]");
        for (int i = 0; i < entries.size(); i++) {
            plugins.add(PluginEntry.from(entries.get(i), i));
        }
        Optional<Path> pluginsDir = veil.string("plugins-dir").map(Path::of);
        Optional<OpaConfig> opa = OpaConfig.from(veil.get("opa"));
        Optional<TelemetryConfig> telemetry = TelemetryConfig.from(veil.get("telemetry"));
        Optional<String> nodeId = NodeId.configured(veil);
        Optional<AuditConfig> audit = AuditConfig.from(veil.get("audit"), dataDir, veil, nodeId);
        AuthConfig auth = AuthConfig.from(veil.get("auth"));
        return new VeilConfig(host, port, new Secret(masterKey), dataDir, maxRequestBytes, maxUpstreamBytes,
                (int) maxUpstreamEventBytes, connectTimeout, idleTimeout, caFile, providers, models, plugins,
                pluginsDir, opa, telemetry, audit, AccountingConfig.from(veil, providers.keySet()), connectionLimits,
                clientTimeouts, ResponsesConfig.from(veil.get("responses"), dataDir),
                ManagementConfig.from(veil.get("management"), port), ShutdownConfig.from(veil.get("shutdown")),
                ReloadMode.from(veil), auth, McpConfig.from(veil.get("mcp")),
                ConsoleConfig.from(veil.get("console"), auth), revision);
    }
}
