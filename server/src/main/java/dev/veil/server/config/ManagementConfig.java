package dev.veil.server.config;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code veil.management}: a second listener for operators, apart from the API port, serving the metrics in
 * Prometheus text format and the health checks, without a key. Off unless the section is there: like telemetry
 * export, nothing opens by default.
 *
 * @param host the address to listen on; loopback unless said otherwise, since nothing here asks for a key
 * @param port the port to listen on; 0 picks a free one
 * @param metricsPath where the metrics are served
 */
public record ManagementConfig(String host, int port, String metricsPath) {
    /** The port the OpenTelemetry Prometheus exporter uses by default, so dashboards and scrape configs match. */
    public static final int DEFAULT_PORT = 9464;
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_METRICS_PATH = "/metrics";
    private static final Set<String> KEYS = Set.of("enabled", "host", "port", "path");

    public ManagementConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(metricsPath, "metricsPath");
    }

    /** {@code veil.management}, unless absent or {@code enabled: false}; its port must not be the API's. */
    static Optional<ManagementConfig> from(ConfigReader node, int serverPort) {
        if (!node.exists()) {
            return Optional.empty();
        }
        node.rejectUnknown(KEYS);
        if (!node.bool("enabled").orElse(true)) {
            return Optional.empty();
        }
        String host = node.string("host").orElse(DEFAULT_HOST);
        if (host.isBlank()) {
            throw node.invalid("host", "must not be empty; the default is " + DEFAULT_HOST);
        }
        int port = node.integer("port").orElse(DEFAULT_PORT);
        if (port < 0 || port > 65535) {
            throw node.invalid("port", "must be between 0 and 65535, got " + port + "; the default is "
                    + DEFAULT_PORT);
        }
        if (port != 0 && port == serverPort) {
            throw node.invalid("port", "must differ from server.port (" + serverPort + "): the management listener "
                    + "serves without a key, apart from the API");
        }
        String path = node.string("path").orElse(DEFAULT_METRICS_PATH);
        if (!path.matches("/[A-Za-z0-9._~/-]*") || path.startsWith("/health") || path.equals("/")) {
            throw node.invalid("path", "must be a path such as " + DEFAULT_METRICS_PATH + " (letters, digits, "
                    + "'.', '_', '~', '-' and '/'; not / nor under /health, which serves the health checks), got '"
                    + path + "'");
        }
        return Optional.of(new ManagementConfig(host, port, path));
    }
}
