package dev.veil.server.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where the audit log's records are streamed, from {@code veil.audit.export}: a list of sinks, each read from the
 * log by a durable cursor of its own (see docs/audit-export.md). Files named here (CA, client key, token file) are
 * read or checked now, so that a missing one stops startup with the key that names it.
 *
 * @param sinks the sinks, in the order configured; names are unique
 */
public record AuditExportConfig(List<Sink> sinks) {
    /** No sink: nothing is streamed. */
    public static final AuditExportConfig NONE = new AuditExportConfig(List.of());

    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final long DEFAULT_BATCH_BYTES = 1L << 20;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(250);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_LAG_RECORDS = 10_000_000;
    public static final long DEFAULT_ALERT_LAG_RECORDS = 10_000;
    public static final Duration DEFAULT_ALERT_LAG_AGE = Duration.ofMinutes(1);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_SYSLOG_PORT = 6514;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    /** RFC 5424 SD-NAME: printable US-ASCII but '=', space, ']' and '"', at most 32 characters. */
    private static final Pattern SD_NAME = Pattern.compile("[!#-<>-\\\\^-~]{1,32}");
    private static final Pattern APP_NAME = Pattern.compile("[!-~]{1,48}");
    private static final Set<String> COMMON_KEYS = Set.of("name", "kind", "batch-size", "batch-bytes", "timeout",
            "backoff-initial", "backoff-max", "max-lag-records", "max-lag-age", "alert-lag-records", "alert-lag-age",
            "shutdown-timeout");
    private static final Set<String> TLS_KEYS = Set.of("ca-file", "client-cert-file", "client-key-file");
    private static final Map<String, Integer> FACILITIES = facilities();

    public AuditExportConfig {
        sinks = List.copyOf(sinks);
    }

    /**
     * One sink.
     *
     * @param name what metrics, logs and the cursor file call it
     * @param target where and how records go
     * @param delivery batching, retries and lag bounds
     */
    public record Sink(String name, Target target, Delivery delivery) {
        public Sink {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(delivery, "delivery");
        }
    }

    /**
     * How a sink is fed.
     *
     * @param batchSize the most records one delivery carries
     * @param batchBytes the most bytes of encoded records one delivery carries (HTTP sinks; at least one record)
     * @param timeout how long one delivery may take before it counts as failed
     * @param backoffInitial the wait after a first failure; it doubles with each further one
     * @param backoffMax the longest wait between attempts
     * @param maxLagRecords the bound of what waits for a sink that is down: beyond it the oldest records are skipped
     *                      (counted and logged); 0 for no bound
     * @param maxLagAge the same bound by the age of the oldest waiting record, when set
     * @param alertLagRecords the lag, in records, beyond which the sink counts as lagging
     * @param alertLagAge the age of the oldest undelivered record beyond which the sink counts as lagging
     * @param shutdownTimeout how long shutdown waits for the sink to take what is committed
     */
    public record Delivery(int batchSize, long batchBytes, Duration timeout, Duration backoffInitial,
                           Duration backoffMax, long maxLagRecords, Optional<Duration> maxLagAge, long alertLagRecords,
                           Duration alertLagAge, Duration shutdownTimeout) {
        /** The defaults. */
        public static Delivery defaults() {
            return new Delivery(DEFAULT_BATCH_SIZE, DEFAULT_BATCH_BYTES, DEFAULT_TIMEOUT, DEFAULT_BACKOFF_INITIAL,
                    DEFAULT_BACKOFF_MAX, DEFAULT_MAX_LAG_RECORDS, Optional.empty(), DEFAULT_ALERT_LAG_RECORDS,
                    DEFAULT_ALERT_LAG_AGE, DEFAULT_SHUTDOWN_TIMEOUT);
        }
    }

    /** Where a sink's records go. */
    public sealed interface Target permits Syslog, Hec, Webhook, Otlp {
    }

    /**
     * TLS settings: whom to trust, and what to present.
     *
     * @param caFile PEM certificates to trust; the JVM's trust store when empty
     * @param clientCertFile a PEM certificate chain to present, with {@code clientKeyFile}
     * @param clientKeyFile its PKCS#8 PEM private key
     */
    public record Tls(Optional<Path> caFile, Optional<Path> clientCertFile, Optional<Path> clientKeyFile) {
        public static final Tls SYSTEM = new Tls(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * RFC 5424 over TCP with TLS (RFC 5425), octet-counting framing.
     *
     * @param host the receiver's host name or address, also the name its certificate is checked for
     * @param port its port
     * @param tls trust and client certificate
     * @param appName the APP-NAME field
     * @param facility the facility number (0 to 23)
     * @param structuredData SD elements added to every message: SD-ID to parameter names and values
     */
    public record Syslog(String host, int port, Tls tls, String appName, int facility,
                         Map<String, Map<String, String>> structuredData) implements Target {
        public Syslog {
            structuredData = Map.copyOf(structuredData);
        }
    }

    /**
     * Splunk's HTTP Event Collector.
     *
     * @param url the event endpoint, {@code .../services/collector/event}
     * @param token the HEC token
     * @param index the index events go to, when not the token's default
     * @param sourcetype the events' sourcetype
     * @param source the events' source
     * @param tls trust and client certificate, for https
     */
    public record Hec(URI url, Secret token, Optional<String> index, String sourcetype, String source, Tls tls)
            implements Target {
    }

    /**
     * Generic HTTP: JSON arrays of records POSTed to a URL.
     *
     * @param url where batches go
     * @param headers extra headers (an authorization, say); their values are treated as secrets
     * @param tls trust and client certificate, for https
     */
    public record Webhook(URI url, Map<String, Secret> headers, Tls tls) implements Target {
        public Webhook {
            headers = Map.copyOf(headers);
        }
    }

    /**
     * OTLP/HTTP logs: each record a log record, batches POSTed to an OTLP receiver (an OpenTelemetry Collector, or a
     * backend that takes OTLP).
     *
     * @param endpoint where batches go: the configured endpoint with {@code /v1/logs} added unless it ends so
     * @param headers extra headers (an authorization, say); their values are treated as secrets
     * @param encoding binary protobuf or OTLP's JSON
     * @param tls trust and client certificate, for https
     */
    public record Otlp(URI endpoint, Map<String, Secret> headers, OtlpEncoding encoding, Tls tls) implements Target {
        public Otlp {
            headers = Map.copyOf(headers);
        }
    }

    /** The body encodings OTLP/HTTP defines. */
    public enum OtlpEncoding {
        /** {@code application/x-protobuf}, what OTLP receivers take by default. */
        PROTOBUF,
        /** {@code application/json}, OTLP's JSON mapping of the same messages. */
        JSON
    }

    static AuditExportConfig from(ConfigReader audit) {
        List<ConfigReader> items = audit.items("export", "must be a list of sinks, for example "
                + "[{name: siem, kind: syslog, host: siem.example.com, ca-file: /etc/veil/siem-ca.pem}]");
        if (items.isEmpty()) {
            return NONE;
        }
        Set<String> names = new HashSet<>();
        List<Sink> sinks = items.stream().map(item -> {
            Sink sink = sink(item);
            if (!names.add(sink.name())) {
                throw item.invalid("name", "'" + sink.name() + "' names two sinks; give each its own name (it names "
                        + "the sink's cursor file and metrics)");
            }
            return sink;
        }).toList();
        return new AuditExportConfig(sinks);
    }

    private static Sink sink(ConfigReader node) {
        if (!node.isMap()) {
            throw node.invalid("must be a sink's settings, for example {name: siem, kind: hec, url: ..., "
                    + "token-file: ...}");
        }
        String name = node.string("name").orElseThrow(() -> node.invalid("name", "is missing; name the sink, for "
                + "example siem"));
        if (!NAME.matcher(name).matches()) {
            throw node.invalid("name", "'" + name + "' must be lower-case letters, digits, '-' or '_' (up to 63)");
        }
        String kind = node.string("kind").orElseThrow(() -> node.invalid("kind", "is missing; set syslog, hec, "
                + "webhook or otlp"));
        Target target = switch (kind) {
            case "syslog" -> {
                node.rejectUnknown(union(COMMON_KEYS, TLS_KEYS, Set.of("host", "port", "app-name", "facility",
                        "structured-data")));
                yield syslog(node);
            }
            case "hec" -> {
                node.rejectUnknown(union(COMMON_KEYS, TLS_KEYS, Set.of("url", "token", "token-file", "index",
                        "sourcetype", "source")));
                yield hec(node);
            }
            case "webhook" -> {
                node.rejectUnknown(union(COMMON_KEYS, TLS_KEYS, Set.of("url", "headers")));
                yield new Webhook(node.url("url").orElseThrow(() -> node.invalid("url", "is missing; set the URL "
                        + "batches are POSTed to")), secrets(node.stringMap("headers")), tls(node));
            }
            case "otlp" -> {
                node.rejectUnknown(union(COMMON_KEYS, TLS_KEYS, Set.of("endpoint", "headers", "encoding")));
                yield otlp(node);
            }
            default -> throw node.invalid("kind", "'" + kind + "' is not a sink kind; set syslog, hec, webhook or "
                    + "otlp");
        };
        return new Sink(name, target, delivery(node));
    }

    private static Syslog syslog(ConfigReader node) {
        String host = node.string("host").orElseThrow(() -> node.invalid("host", "is missing; set the syslog "
                + "receiver's host name (its certificate must name it)"));
        int port = node.integer("port").orElse(DEFAULT_SYSLOG_PORT);
        if (port < 1 || port > 65535) {
            throw node.invalid("port", "must be from 1 to 65535, got " + port);
        }
        String appName = node.string("app-name").orElse("veil");
        if (!APP_NAME.matcher(appName).matches()) {
            throw node.invalid("app-name", "must be 1 to 48 printable ASCII characters without spaces");
        }
        String facilityName = node.string("facility").orElse("local0").trim().toLowerCase(Locale.ROOT);
        Integer facility = FACILITIES.get(facilityName);
        if (facility == null) {
            throw node.invalid("facility", "'" + facilityName + "' is not a syslog facility; set one of auth, "
                    + "authpriv, daemon, user, local0 to local7, or a number from 0 to 23");
        }
        Map<String, Map<String, String>> structured = new LinkedHashMap<>();
        ConfigReader sd = node.get("structured-data");
        for (String id : sd.names()) {
            if (!SD_NAME.matcher(id).matches()) {
                throw sd.invalid(id, "is not an RFC 5424 SD-ID (up to 32 printable ASCII characters, no '=', ' ', "
                        + "']' or '\"'); private ones look like name@32473");
            }
            Map<String, String> params = sd.stringMap(id);
            for (String param : params.keySet()) {
                if (!SD_NAME.matcher(param).matches()) {
                    throw sd.get(id).invalid(param, "is not an RFC 5424 PARAM-NAME (up to 32 printable ASCII "
                            + "characters, no '=', ' ', ']' or '\"')");
                }
            }
            structured.put(id, params);
        }
        return new Syslog(host, port, tls(node), appName, facility, structured);
    }

    private static Hec hec(ConfigReader node) {
        URI url = node.url("url").orElseThrow(() -> node.invalid("url", "is missing; set the HEC endpoint, for "
                + "example https://splunk.example.com:8088"));
        if (url.getPath() == null || url.getPath().isEmpty()) {
            url = URI.create(url + "/services/collector/event");
        }
        Optional<String> token = node.string("token");
        Optional<String> tokenFile = node.string("token-file");
        if (token.isPresent() == tokenFile.isPresent()) {
            throw node.invalid((token.isPresent() ? "both token and token-file are set" : "no token") + "; set "
                    + "exactly one: token-file (a file holding the HEC token) or token (better as ${ENV_VAR})");
        }
        Secret secret;
        if (tokenFile.isPresent()) {
            Path file = Path.of(tokenFile.get());
            try {
                secret = new Secret(Files.readString(file, StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                throw node.invalid("token-file", file + " cannot be read (" + e.getClass().getSimpleName() + "); "
                        + "point it at a file holding the HEC token, readable by Veil");
            }
        } else {
            secret = new Secret(token.get().trim());
        }
        if (secret.reveal().isEmpty()) {
            throw node.invalid(tokenFile.isPresent() ? "token-file" : "token", "is empty; set the HEC token");
        }
        return new Hec(url, secret, node.string("index"), node.string("sourcetype").orElse("veil:audit"),
                node.string("source").orElse("veil"), tls(node));
    }

    private static Otlp otlp(ConfigReader node) {
        URI endpoint = node.url("endpoint").orElseThrow(() -> node.invalid("endpoint", "is missing; set the OTLP/HTTP "
                + "receiver's base URL, for example http://otel-collector:4318 (/v1/logs is added)"));
        if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
            throw node.invalid("endpoint", "must not have a query or fragment; set the receiver's base URL, for "
                    + "example http://otel-collector:4318");
        }
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        if (!path.endsWith("/v1/logs")) {
            endpoint = URI.create(endpoint + "/v1/logs");
        }
        String encoding = node.string("encoding").orElse("protobuf").trim().toLowerCase(Locale.ROOT);
        OtlpEncoding otlpEncoding = switch (encoding) {
            case "protobuf" -> OtlpEncoding.PROTOBUF;
            case "json" -> OtlpEncoding.JSON;
            default -> throw node.invalid("encoding", "'" + encoding + "' is not an OTLP/HTTP encoding; set protobuf "
                    + "(application/x-protobuf, the default) or json (application/json)");
        };
        return new Otlp(endpoint, secrets(node.stringMap("headers")), otlpEncoding, tls(node));
    }

    private static Tls tls(ConfigReader node) {
        Optional<Path> ca = readable(node, "ca-file");
        Optional<Path> cert = readable(node, "client-cert-file");
        Optional<Path> key = readable(node, "client-key-file");
        if (cert.isPresent() != key.isPresent()) {
            throw node.invalid(cert.isPresent() ? "client-key-file" : "client-cert-file", "is missing; a client "
                    + "certificate needs both client-cert-file and client-key-file");
        }
        return new Tls(ca, cert, key);
    }

    private static Optional<Path> readable(ConfigReader node, String setting) {
        return node.string(setting).map(Path::of).map(path -> {
            if (!Files.isReadable(path)) {
                throw node.invalid(setting, path + " does not exist or cannot be read; point it at a PEM file "
                        + "readable by Veil");
            }
            return path;
        });
    }

    private static Delivery delivery(ConfigReader node) {
        int batchSize = node.integer("batch-size").orElse(DEFAULT_BATCH_SIZE);
        if (batchSize < 1 || batchSize > 100_000) {
            throw node.invalid("batch-size", "must be from 1 to 100000, got " + batchSize);
        }
        long batchBytes = node.size("batch-bytes").orElse(DEFAULT_BATCH_BYTES);
        if (batchBytes < 1024) {
            throw node.invalid("batch-bytes", "must be at least 1KiB");
        }
        Duration backoffInitial = node.positiveDuration("backoff-initial").orElse(DEFAULT_BACKOFF_INITIAL);
        Duration backoffMax = node.positiveDuration("backoff-max").orElse(DEFAULT_BACKOFF_MAX);
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw node.invalid("backoff-max", "must be at least backoff-initial (" + backoffInitial + ")");
        }
        long maxLag = node.integer("max-lag-records").map(Integer::longValue).orElse(DEFAULT_MAX_LAG_RECORDS);
        if (maxLag < 0) {
            throw node.invalid("max-lag-records", "must be 0 (no bound) or more");
        }
        long alertLag = node.integer("alert-lag-records").map(Integer::longValue).orElse(DEFAULT_ALERT_LAG_RECORDS);
        if (alertLag < 1) {
            throw node.invalid("alert-lag-records", "must be at least 1");
        }
        return new Delivery(batchSize, batchBytes, node.positiveDuration("timeout").orElse(DEFAULT_TIMEOUT),
                backoffInitial, backoffMax, maxLag, node.positiveDuration("max-lag-age"), alertLag,
                node.positiveDuration("alert-lag-age").orElse(DEFAULT_ALERT_LAG_AGE),
                node.positiveDuration("shutdown-timeout").orElse(DEFAULT_SHUTDOWN_TIMEOUT));
    }

    private static Map<String, Secret> secrets(Map<String, String> values) {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        values.forEach((name, value) -> secrets.put(name, new Secret(value)));
        return secrets;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return all;
    }

    private static Map<String, Integer> facilities() {
        Map<String, Integer> map = new LinkedHashMap<>();
        String[] names = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
            "authpriv", "ftp", "ntp", "security", "console", "solaris-cron"};
        for (int i = 0; i < names.length; i++) {
            map.put(names[i], i);
        }
        for (int i = 0; i < 8; i++) {
            map.put("local" + i, 16 + i);
        }
        for (int i = 0; i < 24; i++) {
            map.put(Integer.toString(i), i);
        }
        return Map.copyOf(map);
    }
}
