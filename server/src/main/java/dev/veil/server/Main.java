package dev.veil.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import dev.veil.server.audit.AuditCli;
import dev.veil.server.cli.AdminCli;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.ReloadMode;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.core.Clocks;
import dev.veil.server.telemetry.PrometheusMetrics;
import dev.veil.server.telemetry.TelemetrySdk;
import io.helidon.logging.common.LogConfig;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import sun.misc.Signal;

/**
 * {@code veil-server [--config FILE]}: starts Veil on the given config, or on the built-in default;
 * {@code veil-server --check-config --config FILE} only loads and validates the file, as startup would, and exits;
 * {@code veil-server audit ...} reads the audit log instead (see {@link AuditCli}); {@code veil-server keys ...} and
 * {@code veil-server usage ...} call the admin API of a running Veil (see {@link AdminCli}).
 */
public final class Main {
    private static final Logger LOGGER = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        if (args.length > 0 && args[0].equals("audit")) {
            System.exit(new AuditCli(Main::config, System.out, System.err).run(List.of(args).subList(1,
                    args.length)));
        }
        if (args.length > 0 && args[0].equals("version")) {
            System.out.print(BuildInfo.current().describe());
            return;
        }
        if (args.length > 0 && AdminCli.serves(args[0])) {
            System.exit(AdminCli.run(List.of(args), System.getenv(), System.out, System.err));
        }
        Path configFile = null;
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        fail("--config needs a file: --config veil.yaml");
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--check-config" -> checkOnly = true;
                case "--help", "-h" -> {
                    System.out.println("usage: veil run [--config FILE]\n       veil run --check-config --config FILE"
                            + "\n       veil audit verify|export|rotate-key [--config FILE]"
                            + "\n       veil keys create|list|rotate|revoke ...\n       veil usage ..."
                            + "\n       veil version");
                    return;
                }
                default -> fail("unknown argument '" + args[i] + "'; usage: veil run [--config FILE]");
            }
        }
        if (checkOnly && configFile == null) {
            fail("--check-config needs the file to check: --check-config --config veil.yaml");
        }
        VeilConfig config;
        try {
            config = configFile == null ? DefaultConfig.create(System::getenv)
                    : dev.veil.server.config.ConfigLoader.load(configFile, System::getenv);
        } catch (ConfigException e) {
            fail("config error: " + e.getMessage());
            return;
        }
        if (checkOnly) {
            // What a file can be checked for without reaching anything: the database, Redis and OPA it names, and
            // plugin settings (checked as each plugin starts), are checked at startup only.
            System.out.println("config OK: " + configFile + " (revision " + config.revision() + ")");
            return;
        }
        Optional<PrometheusMetrics> metrics = config.management().map(management -> PrometheusMetrics.create());
        OpenTelemetrySdk telemetry = TelemetrySdk.create(config.telemetry(), metrics);
        VeilServer server;
        try {
            server = VeilServer.start(config, telemetry, Clocks.system(), metrics);
        } catch (ConfigException e) {
            telemetry.close();
            fail("config error: " + e.getMessage());
            return;
        }
        if (server.port() < 0) {
            server.close();
            fail("cannot listen on " + config.host() + ":" + config.port() + "; if another process uses the port, "
                    + "stop it or set server.port (VEIL_PORT for the default config)");
        }
        AtomicBoolean telemetryClosed = new AtomicBoolean();
        Runnable closeTelemetry = () -> {
            // After the server: spans of the last requests are flushed to the collector.
            if (telemetryClosed.compareAndSet(false, true)) {
                telemetry.close();
            }
        };
        // SIGTERM (what orchestrators send) drains gracefully and exits 0; the JVM's own handling would run the
        // hooks and exit 143. Any other end (Ctrl-C, System.exit) closes at once through the hook.
        // sun.misc.Signal (module jdk.unsupported) is the JDK's only way to handle a signal.
        try {
            Signal.handle(new Signal("TERM"), signal -> Thread.ofPlatform().name("veil-drain").start(() -> {
                server.shutdown();
                closeTelemetry.run();
                System.exit(0);
            }));
        } catch (IllegalArgumentException e) {
            LOGGER.warning("SIGTERM cannot be handled in this JVM (-Xrs?): it stops Veil at once, without draining");
        }
        reloads(server, configFile, config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            closeTelemetry.run();
        }, "veil-shutdown"));
        StringBuilder providers = new StringBuilder();
        for (ProviderConfig provider : config.providers().values()) {
            providers.append(providers.isEmpty() ? "" : ", ").append(provider.name()).append(" (")
                    .append(provider.kind().configName()).append(provider.preset().map(p -> " " + p).orElse(""))
                    .append(')');
        }
        LOGGER.info("Veil listening on http://" + config.host() + ":" + server.port() + " with providers: "
                + providers + (config.models().isEmpty() ? "" : "; models: " + String.join(", ",
                config.models().keySet())));
        server.managementPort().ifPresent(port -> LOGGER.info("Management (metrics at "
                + config.management().orElseThrow().metricsPath() + ", /health/live, /health/ready) on http://"
                + config.management().orElseThrow().host() + ":" + port));
        String chosenKey = System.getenv("VEIL_MASTER_KEY");
        if (configFile == null && (chosenKey == null || chosenKey.isBlank())) {
            LOGGER.info("Master key: generated into " + DefaultConfig.masterKeyPath(config.dataDir())
                    + " (set VEIL_MASTER_KEY to choose one)");
        }
    }

    /**
     * SIGHUP reloads the config file, and with {@code veil.reload: watch} so does a change to it. The built-in default
     * config has no file: it is read from the environment, which a running process cannot change.
     */
    private static void reloads(VeilServer server, Path configFile, VeilConfig config) {
        Runnable reload = configFile == null
                ? () -> LOGGER.warning("SIGHUP: Veil runs on the built-in default config, which has no file to "
                        + "reload; start it with --config FILE to reload one")
                : () -> server.reload(configFile, System::getenv);
        try {
            // On a thread of its own: a signal handler must return at once, and a reload builds a whole config.
            Signal.handle(new Signal("HUP"), signal -> Thread.ofPlatform().name("veil-reload").start(reload));
        } catch (IllegalArgumentException e) {
            LOGGER.warning("SIGHUP cannot be handled in this JVM (-Xrs?): it does not reload the config");
        }
        if (configFile != null && config.reload() == ReloadMode.WATCH) {
            server.watch(configFile, System::getenv);
        }
    }

    /** The config {@code veil run} would use: {@code file}, or the default config. */
    private static VeilConfig config(Optional<Path> file) {
        return file.isPresent() ? dev.veil.server.config.ConfigLoader.load(file.get(), System::getenv)
                : DefaultConfig.create(System::getenv);
    }

    private static void fail(String message) {
        System.err.println("veil: " + message);
        System.exit(2);
    }
}
