package dev.veil.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.veil.spi.plugin.PluginSettings;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads Veil's YAML config, substitutes environment variables, and validates every key up front so that a mistake
 * stops startup with a message naming the key and the fix, instead of failing a request later.
 */
public final class ConfigLoader {
    private static final Set<String> SERVER_KEYS = Set.of("host", "port");
    private static final Set<String> VEIL_KEYS = Set.of("master-key", "data-dir", "limits", "upstream", "providers",
            "models", "plugins", "plugins-dir", "opa", "telemetry", "audit", "prices", "alerts",
            "accounting");
    private static final Set<String> PRICE_KEYS = Set.of("model", "input", "output", "cached-input", "cache-write",
            "reasoning");
    private static final Set<String> ALERT_KEYS = Set.of("webhook-url", "timeout");
    private static final Set<String> ACCOUNTING_KEYS = Set.of("flush-interval", "reserve-output-tokens");
    private static final Set<String> TELEMETRY_KEYS = Set.of("exporter", "endpoint", "protocol", "headers",
            "service-name", "sample-ratio", "metric-interval");
    private static final Set<String> AUDIT_KEYS = Set.of("mode", "file", "key-file", "key-env", "passphrase-env",
            "rotate", "checkpoint", "content", "max-content-bytes", "commit-timeout", "fsync");
    private static final Set<String> AUDIT_CHECKPOINT_KEYS = Set.of("records", "interval");
    private static final Set<String> OPA_KEYS = Set.of("enabled", "url", "decision-path", "timeout", "fail-mode",
            "cache");
    private static final Set<String> OPA_CACHE_KEYS = Set.of("max-entries", "ttl");
    private static final Set<String> LIMIT_KEYS = Set.of("max-request-bytes", "max-upstream-response-bytes",
            "max-upstream-event-bytes", "max-connections", "max-concurrent-requests", "header-timeout",
            "body-idle-timeout", "body-timeout", "idle-timeout");
    private static final Set<String> UPSTREAM_KEYS = Set.of("connect-timeout", "read-timeout", "idle-timeout",
            "ca-file");
    private static final Set<String> PROVIDER_KEYS = Set.of("kind", "preset", "base-url", "api-key", "region",
            "zero-retention", "models", "headers", "api-version", "deployments", "read-timeout",
            "anthropic-version", "anthropic-beta", "aws-access-key-id", "aws-secret-access-key", "aws-session-token");
    private static final Set<String> MODEL_KEYS = Set.of("targets");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|kb|mb|gb|kib|mib|gib)", Pattern.CASE_INSENSITIVE);

    private final Function<String, String> environment;

    private ConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    /** Loads and validates a YAML config file. */
    public static VeilConfig load(Path file, Function<String, String> environment) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("--config", "file " + file + " does not exist or is not a regular file");
        }
        ConfigLoader loader = new ConfigLoader(environment);
        return loader.parse(loader.helidonConfig(file.toString(), ConfigSources.file(file).build()));
    }

    /** Validates a YAML config given as text. */
    public static VeilConfig fromYaml(String yaml, Function<String, String> environment) {
        ConfigLoader loader = new ConfigLoader(environment);
        return loader.parse(loader.helidonConfig("config", ConfigSources.create(yaml,
                MediaTypes.APPLICATION_X_YAML)));
    }

    private Config helidonConfig(String name, io.helidon.config.spi.ConfigSource source) {
        EnvSubstitution substitution = new EnvSubstitution(environment);
        try {
            // Only the file counts: ambient env vars or system properties silently overriding keys would make a
            // config file lie about what runs.
            return Config.builder()
                    .sources(() -> source)
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .disableValueResolving()
                    .disableKeyResolving()
                    .disableFilterServices()
                    .addFilter((key, value) -> substitution.apply(key.toString(), value))
                    .build();
        } catch (RuntimeException e) {
            throw syntaxError(name, e);
        }
    }

    /**
     * Says where the YAML broke and why, but not what the line holds: SnakeYAML quotes the offending line, and that
     * line may be an API key.
     */
    private static ConfigException syntaxError(String name, RuntimeException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                return new ConfigException(name, "is not valid YAML: " + yaml.getProblem() + " at line "
                        + (yaml.getProblemMark().getLine() + 1) + ", column " + (yaml.getProblemMark().getColumn() + 1));
            }
        }
        return new ConfigException(name, "cannot be read as YAML");
    }

    private VeilConfig parse(Config root) {
        try {
            return parseChecked(root);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigException configException) {
                    throw configException;
                }
            }
            throw new ConfigException("config", "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private VeilConfig parseChecked(Config root) {
        Config server = root.get("server");
        rejectUnknown(server, SERVER_KEYS);
        String host = string(server.get("host")).orElse("127.0.0.1");
        int port = integer(server.get("port")).orElse(8080);
        if (port < 0 || port > 65535) {
            throw new ConfigException("server.port", "must be between 0 and 65535, got " + port);
        }

        Config veil = root.get("veil");
        if (!veil.exists()) {
            throw new ConfigException("veil", "missing; a config needs at least veil.master-key and veil.providers");
        }
        rejectUnknown(veil, VEIL_KEYS);
        String masterKey = string(veil.get("master-key")).orElseThrow(() -> new ConfigException("veil.master-key",
                "missing; set it, for example master-key: ${VEIL_MASTER_KEY}"));
        if (masterKey.length() < 8) {
            throw new ConfigException("veil.master-key", "too short; use at least 8 characters (32 random ones are "
                    + "better)");
        }
        Path dataDir = Path.of(string(veil.get("data-dir")).orElse(".veil"));

        Config limits = veil.get("limits");
        rejectUnknown(limits, LIMIT_KEYS);
        int maxConnections = integer(limits.get("max-connections")).orElse(0);
        int maxConcurrentRequests = integer(limits.get("max-concurrent-requests")).orElse(0);
        if (maxConnections < 0 || maxConcurrentRequests < 0) {
            throw new ConfigException("veil.limits", "max-connections and max-concurrent-requests must not be "
                    + "negative (0 derives them from the process's open-file limit)");
        }
        long maxRequestBytes = size(limits.get("max-request-bytes")).orElse(VeilConfig.DEFAULT_MAX_REQUEST_BYTES);
        long maxUpstreamBytes = size(limits.get("max-upstream-response-bytes"))
                .orElse(VeilConfig.DEFAULT_MAX_UPSTREAM_RESPONSE_BYTES);
        long maxUpstreamEventBytes = size(limits.get("max-upstream-event-bytes"))
                .orElse((long) VeilConfig.DEFAULT_MAX_UPSTREAM_EVENT_BYTES);
        if (maxUpstreamEventBytes < 1024 || maxUpstreamEventBytes > 1L << 30) {
            throw new ConfigException("veil.limits.max-upstream-event-bytes", "must be between 1KiB and 1GiB, got "
                    + maxUpstreamEventBytes + "; the default is 16MiB");
        }
        ClientTimeouts clientTimeouts = new ClientTimeouts(
                positive(limits.get("header-timeout")).orElse(ClientTimeouts.DEFAULT_HEADER),
                positive(limits.get("body-idle-timeout")).orElse(ClientTimeouts.DEFAULT_BODY_IDLE),
                positive(limits.get("body-timeout")).orElse(ClientTimeouts.DEFAULT_BODY),
                positive(limits.get("idle-timeout")).orElse(ClientTimeouts.DEFAULT_IDLE));

        Config upstream = veil.get("upstream");
        rejectUnknown(upstream, UPSTREAM_KEYS);
        Duration connectTimeout = duration(upstream.get("connect-timeout")).orElse(VeilConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration readTimeout = duration(upstream.get("read-timeout")).orElse(VeilConfig.DEFAULT_READ_TIMEOUT);
        Duration idleTimeout = duration(upstream.get("idle-timeout"))
                .orElse(VeilConfig.DEFAULT_UPSTREAM_IDLE_TIMEOUT);
        if (idleTimeout.isNegative()) {
            throw new ConfigException("veil.upstream.idle-timeout", "must not be negative; 0 closes every connection "
                    + "to a provider after one request, the default is 30s");
        }
        Optional<Path> caFile = string(upstream.get("ca-file")).map(Path::of);

        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        for (Config node : children(veil.get("providers"))) {
            ProviderConfig provider = provider(node, readTimeout);
            providers.put(provider.name(), provider);
        }
        if (providers.isEmpty()) {
            throw new ConfigException("veil.providers", "no provider configured; add one, for example "
                    + "openai: {kind: openai, api-key: \"${OPENAI_API_KEY}\"}");
        }

        Map<String, ModelAlias> models = new LinkedHashMap<>();
        for (Config node : children(veil.get("models"))) {
            ModelAlias alias = alias(node, providers);
            models.put(alias.name(), alias);
        }
        List<PluginEntry> plugins = plugins(veil.get("plugins"));
        Optional<Path> pluginsDir = string(veil.get("plugins-dir")).map(Path::of);
        return new VeilConfig(host, port, new Secret(masterKey), dataDir, maxRequestBytes, maxUpstreamBytes,
                (int) maxUpstreamEventBytes,
                connectTimeout, idleTimeout, caFile, providers, models, plugins, pluginsDir, opa(veil.get("opa")),
                telemetry(veil.get("telemetry")), audit(veil.get("audit"), dataDir), accounting(veil, providers),
                new ConnectionLimits(maxConnections, maxConcurrentRequests), clientTimeouts);
    }

    /** {@code veil.prices}, {@code veil.alerts} and {@code veil.accounting}. */
    private static AccountingConfig accounting(Config veil, Map<String, ProviderConfig> providers) {
        List<AccountingConfig.PriceEntry> prices = new ArrayList<>();
        Config priceList = veil.get("prices");
        if (priceList.exists()) {
            if (priceList.type() != Config.Type.LIST) {
                throw new ConfigException("veil.prices", "must be a list of prices, for example "
                        + "[{model: openai/gpt-4o, input: 2.5, output: 10, cached-input: 1.25}]");
            }
            List<Config> items = priceList.asNodeList().orElse(List.of());
            for (int i = 0; i < items.size(); i++) {
                prices.add(price(items.get(i), "veil.prices[" + i + "]", providers));
            }
        }
        Config alerts = veil.get("alerts");
        rejectUnknown(alerts, ALERT_KEYS);
        Config accounting = veil.get("accounting");
        rejectUnknown(accounting, ACCOUNTING_KEYS);
        long reserve = integer(accounting.get("reserve-output-tokens"))
                .map(Integer::longValue).orElse(AccountingConfig.DEFAULT_RESERVE_OUTPUT_TOKENS);
        if (reserve < 0) {
            throw new ConfigException("veil.accounting.reserve-output-tokens", "must not be negative");
        }
        Duration flush = duration(accounting.get("flush-interval")).orElse(AccountingConfig.DEFAULT_FLUSH_INTERVAL);
        if (flush.isZero() || flush.isNegative()) {
            throw new ConfigException("veil.accounting.flush-interval", "must be positive, for example 1s");
        }
        return new AccountingConfig(prices, string(alerts.get("webhook-url")).map(url -> uri("veil.alerts.webhook-url",
                url)), duration(alerts.get("timeout")).orElse(AccountingConfig.DEFAULT_ALERT_TIMEOUT), flush, reserve);
    }

    private static AccountingConfig.PriceEntry price(Config item, String key, Map<String, ProviderConfig> providers) {
        if (item.type() != Config.Type.OBJECT) {
            throw new ConfigException(key, "must be a map, for example {model: openai/gpt-4o, input: 2.5, output: 10}");
        }
        rejectUnknown(item, PRICE_KEYS);
        String model = string(item.get("model")).orElseThrow(() -> new ConfigException(key + ".model",
                "missing; name the provider model, for example openai/gpt-4o"));
        int slash = model.indexOf('/');
        if (slash <= 0 || slash == model.length() - 1) {
            throw new ConfigException(key + ".model", "'" + model + "' is not of the form provider/model");
        }
        String provider = model.substring(0, slash);
        if (!providers.containsKey(provider)) {
            throw new ConfigException(key + ".model", "provider '" + provider + "' is not configured; configured "
                    + "providers: " + String.join(", ", providers.keySet()));
        }
        double input = money(item.get("input")).orElseThrow(() -> new ConfigException(key + ".input",
                "missing; give US dollars per million input tokens, for example input: 2.5"));
        double output = money(item.get("output")).orElseThrow(() -> new ConfigException(key + ".output",
                "missing; give US dollars per million output tokens, for example output: 10"));
        return new AccountingConfig.PriceEntry(provider, model.substring(slash + 1), input, output,
                money(item.get("cached-input")).orElse(input), money(item.get("cache-write")).orElse(input),
                money(item.get("reasoning")).orElse(output));
    }

    private static Optional<Double> money(Config node) {
        return string(node).map(value -> {
            double amount;
            try {
                amount = Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                amount = -1;
            }
            if (amount < 0 || Double.isNaN(amount) || Double.isInfinite(amount)) {
                throw new ConfigException(node.key().toString(), "must be a non-negative number of US dollars per "
                        + "million tokens, got '" + value + "'");
            }
            return amount;
        });
    }

    private ProviderConfig provider(Config node, Duration readTimeout) {
        String name = node.name();
        String key = "veil.providers." + name;
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException(key, "provider names may hold letters, digits, '.', '_' and '-' only");
        }
        rejectUnknown(node, PROVIDER_KEYS);
        String kindName = string(node.get("kind")).orElseThrow(() -> new ConfigException(key + ".kind",
                "missing; use one of " + ProviderKind.known()));
        ProviderKind kind = ProviderKind.fromConfigName(kindName).orElseThrow(() -> new ConfigException(key + ".kind",
                "unknown kind '" + kindName + "'; use one of " + ProviderKind.known()));
        Optional<URI> baseUrl = string(node.get("base-url")).map(url -> uri(key + ".base-url", url));
        return new ProviderConfig(name, kind,
                string(node.get("preset")),
                baseUrl,
                string(node.get("api-key")).filter(k -> !k.isBlank()).map(Secret::new),
                string(node.get("region")),
                bool(node.get("zero-retention")).orElse(false),
                stringList(node.get("models")),
                stringMap(node.get("headers")),
                string(node.get("api-version")),
                stringMap(node.get("deployments")),
                duration(node.get("read-timeout")).orElse(readTimeout),
                string(node.get("anthropic-version")),
                string(node.get("anthropic-beta")),
                string(node.get("aws-access-key-id")).filter(v -> !v.isBlank()).map(Secret::new),
                string(node.get("aws-secret-access-key")).filter(v -> !v.isBlank()).map(Secret::new),
                string(node.get("aws-session-token")).filter(v -> !v.isBlank()).map(Secret::new));
    }

    private ModelAlias alias(Config node, Map<String, ProviderConfig> providers) {
        String name = node.name();
        String key = "veil.models." + name;
        rejectUnknown(node, MODEL_KEYS);
        List<String> targets = stringList(node.get("targets"));
        if (targets.isEmpty()) {
            throw new ConfigException(key + ".targets", "missing or empty; list provider models, for example "
                    + "targets: [\"openai/gpt-4o\"]");
        }
        List<TargetRef> refs = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            String target = targets.get(i);
            int slash = target.indexOf('/');
            String targetKey = key + ".targets[" + i + "]";
            if (slash <= 0 || slash == target.length() - 1) {
                throw new ConfigException(targetKey, "'" + target + "' is not of the form provider/model");
            }
            String provider = target.substring(0, slash);
            if (!providers.containsKey(provider)) {
                throw new ConfigException(targetKey, "provider '" + provider + "' is not configured; configured "
                        + "providers: " + String.join(", ", providers.keySet()));
            }
            refs.add(new TargetRef(provider, target.substring(slash + 1)));
        }
        return new ModelAlias(name, refs);
    }

    /**
     * {@code veil.telemetry}, translated into the OpenTelemetry SDK's own property names so that the SDK's
     * autoconfiguration does the rest, and the standard {@code OTEL_*} variables work where config says nothing.
     */
    private static Optional<TelemetryConfig> telemetry(Config node) {
        if (!node.exists()) {
            return Optional.empty();
        }
        rejectUnknown(node, TELEMETRY_KEYS);
        Map<String, String> properties = new LinkedHashMap<>();
        string(node.get("exporter")).ifPresent(exporter -> {
            if (!exporter.equals("otlp") && !exporter.equals("none")) {
                throw new ConfigException("veil.telemetry.exporter", "must be otlp or none, got '" + exporter + "'");
            }
            properties.put("otel.traces.exporter", exporter);
            properties.put("otel.metrics.exporter", exporter);
        });
        string(node.get("endpoint")).ifPresent(endpoint -> properties.put("otel.exporter.otlp.endpoint",
                uri("veil.telemetry.endpoint", endpoint).toString()));
        string(node.get("protocol")).ifPresent(protocol -> {
            if (!protocol.equals("grpc") && !protocol.equals("http/protobuf")) {
                throw new ConfigException("veil.telemetry.protocol", "must be grpc or http/protobuf, got '"
                        + protocol + "'");
            }
            properties.put("otel.exporter.otlp.protocol", protocol);
        });
        Config headers = node.get("headers");
        if (headers.exists()) {
            List<String> pairs = new ArrayList<>();
            for (Config header : children(headers)) {
                pairs.add(header.name() + "=" + string(header).orElse(""));
            }
            properties.put("otel.exporter.otlp.headers", String.join(",", pairs));
        }
        string(node.get("service-name")).ifPresent(name -> properties.put("otel.service.name", name));
        string(node.get("sample-ratio")).ifPresent(ratio -> {
            double value;
            try {
                value = Double.parseDouble(ratio);
            } catch (NumberFormatException e) {
                value = -1;
            }
            if (value < 0 || value > 1) {
                throw new ConfigException("veil.telemetry.sample-ratio", "must be a number from 0 to 1, got '"
                        + ratio + "'");
            }
            properties.put("otel.traces.sampler", "parentbased_traceidratio");
            properties.put("otel.traces.sampler.arg", ratio);
        });
        duration(node.get("metric-interval")).ifPresent(interval -> properties.put("otel.metric.export.interval",
                Long.toString(interval.toMillis())));
        return Optional.of(new TelemetryConfig(properties));
    }

    /**
     * The policy engine; empty only when the config says {@code enabled: false}. A privacy gateway must not be one
     * missing key away from checking nothing, so leaving {@code veil.opa} out is a mistake, not a way to switch off.
     */
    private static Optional<OpaConfig> opa(Config node) {
        if (!node.exists()) {
            throw new ConfigException("veil.opa", "missing; every request is checked by OPA, so point veil.opa.url "
                    + "at it (./veil run starts one and sets VEIL_OPA_URL: write opa: {url: \"${VEIL_OPA_URL}\"}), "
                    + "or write opa: {enabled: false} to run without policy checks");
        }
        rejectUnknown(node, OPA_KEYS);
        boolean enabled = bool(node.get("enabled")).orElse(true);
        if (!enabled) {
            Set<String> others = new java.util.TreeSet<>(node.asNodeList().orElse(List.of()).stream()
                    .map(Config::name).toList());
            others.remove("enabled");
            if (!others.isEmpty()) {
                throw new ConfigException("veil.opa", "enabled is false, yet " + String.join(", ", others)
                        + (others.size() == 1 ? " is" : " are") + " set; remove enabled: false to check requests, or "
                        + "the other keys to run without policy checks");
            }
            return Optional.empty();
        }
        URI url = string(node.get("url")).map(value -> uri("veil.opa.url", value)).orElseThrow(() ->
                new ConfigException("veil.opa.url", "missing; point it at OPA, for example http://127.0.0.1:8181, "
                        + "or write opa: {enabled: false} to run without policy checks"));
        String path = string(node.get("decision-path")).orElse(OpaConfig.DEFAULT_DECISION_PATH);
        if (!path.matches("[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*")) {
            throw new ConfigException("veil.opa.decision-path", "'" + path + "' is not a data path; write for "
                    + "example veil/decision");
        }
        String failMode = string(node.get("fail-mode")).orElse("closed");
        if (!failMode.equals("closed") && !failMode.equals("open")) {
            throw new ConfigException("veil.opa.fail-mode", "must be closed (refuse requests OPA cannot decide) "
                    + "or open (serve them, marked), got '" + failMode + "'");
        }
        Config cache = node.get("cache");
        rejectUnknown(cache, OPA_CACHE_KEYS);
        int cacheEntries = integer(cache.get("max-entries")).orElse(cache.exists() ? 10_000 : 0);
        if (cacheEntries < 0) {
            throw new ConfigException("veil.opa.cache.max-entries", "must not be negative");
        }
        return Optional.of(new OpaConfig(url, path, duration(node.get("timeout")).orElse(OpaConfig.DEFAULT_TIMEOUT),
                failMode.equals("open"), cacheEntries, duration(cache.get("ttl")).orElse(Duration.ofSeconds(1))));
    }

    private Optional<AuditConfig> audit(Config node, Path dataDir) {
        if (!node.exists()) {
            return Optional.empty();
        }
        rejectUnknown(node, AUDIT_KEYS);
        String mode = string(node.get("mode")).orElse("sync");
        if (!mode.equals("sync") && !mode.equals("async")) {
            throw new ConfigException("veil.audit.mode", "must be sync (a response completes only once its record "
                    + "is committed) or async (faster; a crash may lose the last records), got '" + mode + "'");
        }
        Optional<String> keyFile = string(node.get("key-file"));
        Optional<String> keyEnv = string(node.get("key-env"));
        Optional<String> passphraseEnv = string(node.get("passphrase-env"));
        long sources = java.util.stream.Stream.of(keyFile, keyEnv, passphraseEnv).filter(Optional::isPresent).count();
        if (sources != 1) {
            throw new ConfigException("veil.audit", (sources == 0 ? "no key source" : "more than one key source")
                    + "; set exactly one of key-file (a file with a base64 32-byte key), key-env (an environment "
                    + "variable holding one) or passphrase-env (an environment variable holding a passphrase)");
        }
        AuditConfig.KeySource key;
        if (keyFile.isPresent()) {
            key = new AuditConfig.KeyFile(Path.of(keyFile.get()));
        } else if (keyEnv.isPresent()) {
            key = new AuditConfig.KeyEnv(keyEnv.get(), new Secret(variable("veil.audit.key-env", keyEnv.get())));
        } else {
            key = new AuditConfig.PassphraseEnv(passphraseEnv.get(),
                    new Secret(variable("veil.audit.passphrase-env", passphraseEnv.get())));
        }
        Duration rotate = duration(node.get("rotate")).orElse(AuditConfig.DEFAULT_ROTATE);
        if (rotate.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new ConfigException("veil.audit.rotate", "must be at least 1m; data keys rotate once per epoch");
        }
        Config checkpoint = node.get("checkpoint");
        rejectUnknown(checkpoint, AUDIT_CHECKPOINT_KEYS);
        int checkpointRecords = integer(checkpoint.get("records")).orElse(AuditConfig.DEFAULT_CHECKPOINT_RECORDS);
        if (checkpointRecords < 1) {
            throw new ConfigException("veil.audit.checkpoint.records", "must be at least 1");
        }
        Duration checkpointInterval = duration(checkpoint.get("interval"))
                .orElse(AuditConfig.DEFAULT_CHECKPOINT_INTERVAL);
        if (checkpointInterval.isZero() || checkpointInterval.isNegative()) {
            throw new ConfigException("veil.audit.checkpoint.interval", "must be positive, for example 10s");
        }
        long maxContent = size(node.get("max-content-bytes")).orElse((long) AuditConfig.DEFAULT_MAX_CONTENT_BYTES);
        if (maxContent < 0 || maxContent > 16L * 1024 * 1024) {
            throw new ConfigException("veil.audit.max-content-bytes", "must be between 0 and 16MiB");
        }
        Duration commitTimeout = duration(node.get("commit-timeout")).orElse(AuditConfig.DEFAULT_COMMIT_TIMEOUT);
        Path database = string(node.get("file")).map(Path::of).orElse(dataDir.resolve(AuditConfig.DEFAULT_FILE));
        return Optional.of(new AuditConfig(database, mode.equals("async"), key, rotate, checkpointRecords,
                checkpointInterval, bool(node.get("content")).orElse(true), (int) maxContent, commitTimeout,
                bool(node.get("fsync")).orElse(AuditConfig.DEFAULT_FSYNC)));
    }

    private String variable(String key, String name) {
        String value = environment.apply(name);
        if (value == null || value.isBlank()) {
            throw new ConfigException(key, "environment variable " + name + " is not set; export it, or point "
                    + "veil.audit.key-file at a key file");
        }
        return value.trim();
    }

    /**
     * The plugin chain. Each entry's {@code name}, {@code fail-open} and {@code timeout} are Veil's; everything else
     * goes to the plugin, which validates it itself when created.
     */
    private static List<PluginEntry> plugins(Config node) {
        if (!node.exists()) {
            return List.of();
        }
        if (node.type() != Config.Type.LIST) {
            throw new ConfigException("veil.plugins", "must be a list of plugin entries, for example "
                    + "[{name: pii-redaction}]");
        }
        List<PluginEntry> entries = new ArrayList<>();
        List<Config> items = node.asNodeList().orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            Config item = items.get(i);
            String key = "veil.plugins[" + i + "]";
            if (item.type() != Config.Type.OBJECT) {
                throw new ConfigException(key, "must be a map with at least a name, for example {name: pii-redaction}");
            }
            String name = string(item.get("name")).orElseThrow(() -> new ConfigException(key + ".name",
                    "missing; name the plugin factory to use"));
            if (item.get("budget").exists()) {
                throw new ConfigException(key + ".budget", "renamed to timeout (how long one call into the plugin "
                        + "may take before it is abandoned); write timeout: instead");
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            for (Config child : item.asNodeList().orElse(List.of())) {
                if (!Set.of("name", "fail-open", "timeout").contains(child.name())) {
                    settings.put(child.name(), tree(child));
                }
            }
            Duration timeout = duration(item.get("timeout")).orElse(PluginEntry.DEFAULT_TIMEOUT);
            if (timeout.isNegative() || timeout.isZero()) {
                throw new ConfigException(key + ".timeout", "must be positive, for example 50ms");
            }
            entries.add(new PluginEntry(i, name, bool(item.get("fail-open")).orElse(false), timeout,
                    new PluginSettings(key, settings)));
        }
        return entries;
    }

    /** A config subtree as plain values: text, lists and maps, the shape {@link PluginSettings} reads. */
    private static Object tree(Config node) {
        return switch (node.type()) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Config child : node.asNodeList().orElse(List.of())) {
                    map.put(child.name(), tree(child));
                }
                yield map;
            }
            case LIST -> node.asNodeList().orElse(List.of()).stream().map(ConfigLoader::tree).toList();
            default -> node.asString().orElse("");
        };
    }

    private static List<Config> children(Config node) {
        if (!node.exists()) {
            return List.of();
        }
        if (node.type() != Config.Type.OBJECT) {
            throw new ConfigException(node.key().toString(), "must be a map of names to settings");
        }
        // YAML maps have no order worth trusting; ordering by name keeps listings and prefix routing deterministic.
        return node.asNodeList().orElse(List.of()).stream().sorted(Comparator.comparing(Config::name)).toList();
    }

    private static void rejectUnknown(Config node, Set<String> known) {
        if (!node.exists()) {
            return;
        }
        if (node.type() != Config.Type.OBJECT) {
            throw new ConfigException(node.key().toString(), "must be a map of settings");
        }
        for (Config child : node.asNodeList().orElse(List.of())) {
            if (!known.contains(child.name())) {
                throw new ConfigException(child.key().toString(), "unknown key; known keys here: "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static Optional<String> string(Config node) {
        if (!node.exists()) {
            return Optional.empty();
        }
        if (node.type() != Config.Type.VALUE) {
            throw new ConfigException(node.key().toString(), "must be a single value");
        }
        return node.asString().asOptional();
    }

    private static Optional<Integer> integer(Config node) {
        return string(node).map(value -> {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(node.key().toString(), "must be a whole number, got '" + value + "'");
            }
        });
    }

    private static Optional<Boolean> bool(Config node) {
        return string(node).map(value -> switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(node.key().toString(), "must be true or false, got '" + value + "'");
        });
    }

    /** A duration that must be above zero: a timeout of nothing would refuse every client. */
    private static Optional<Duration> positive(Config node) {
        return duration(node).map(value -> {
            if (value.isNegative() || value.isZero()) {
                throw new ConfigException(node.key().toString(), "must be above zero, got '" + string(node).orElse("")
                        + "'");
            }
            return value;
        });
    }

    static Optional<Duration> duration(Config node) {
        return string(node).map(value -> parseDuration(node.key().toString(), value));
    }

    static Duration parseDuration(String key, String value) {
        String trimmed = value.trim();
        Matcher m = DURATION.matcher(trimmed);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try {
            return Duration.parse(trimmed);
        } catch (DateTimeParseException e) {
            throw new ConfigException(key, "'" + value + "' is not a duration; write for example 500ms, 30s, 10m");
        }
    }

    private static Optional<Long> size(Config node) {
        return string(node).map(value -> {
            Matcher m = SIZE.matcher(value.trim());
            if (!m.matches()) {
                throw new ConfigException(node.key().toString(), "'" + value + "' is not a size; write for example "
                        + "1048576, 512KiB or 32MiB");
            }
            long amount = Long.parseLong(m.group(1));
            long unit = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                case "kb" -> 1_000L;
                case "mb" -> 1_000_000L;
                case "gb" -> 1_000_000_000L;
                case "kib" -> 1L << 10;
                case "mib" -> 1L << 20;
                case "gib" -> 1L << 30;
                default -> 1L;
            };
            return amount * unit;
        });
    }

    private static List<String> stringList(Config node) {
        if (!node.exists()) {
            return List.of();
        }
        if (node.type() != Config.Type.LIST) {
            throw new ConfigException(node.key().toString(), "must be a list, for example [a, b]");
        }
        return node.asList(String.class).get();
    }

    private static Map<String, String> stringMap(Config node) {
        if (!node.exists()) {
            return Map.of();
        }
        if (node.type() != Config.Type.OBJECT) {
            throw new ConfigException(node.key().toString(), "must be a map, for example {name: value}");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Config child : node.asNodeList().orElse(List.of())) {
            map.put(child.name(), string(child).orElse(""));
        }
        return map;
    }

    private static URI uri(String key, String value) {
        try {
            URI uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigException(key, "'" + value + "' must be an absolute http:// or https:// URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + value + "' is not a valid URL");
        }
    }
}
