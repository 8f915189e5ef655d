package dev.veil.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.veil.server.VeilServer;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.core.Clocks;
import dev.veil.server.telemetry.PrometheusMetrics;
import dev.veil.server.telemetry.TelemetrySdk;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;

/** A real Veil server on a free loopback port, started from a YAML config, with a plain HTTP client to call it. */
public final class VeilUnderTest implements AutoCloseable {
    public static final String MASTER_KEY = "test-master-key";

    private final VeilServer server;
    private final int port;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Optional<OpenTelemetrySdk> telemetry;

    private VeilUnderTest(VeilServer server) {
        this(server, Optional.empty());
    }

    private VeilUnderTest(VeilServer server, Optional<OpenTelemetrySdk> telemetry) {
        this.server = server;
        this.port = server.port();
        this.telemetry = telemetry;
    }

    /**
     * Starts Veil on {@code yaml} as {@code veil run} does: with the OpenTelemetry SDK and, when {@code yaml} has
     * {@code veil.management}, its metrics scraped there.
     */
    public static VeilUnderTest startAsMain(String yaml) {
        VeilConfig config = ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get);
        Optional<PrometheusMetrics> metrics = config.management().map(management -> PrometheusMetrics.create());
        OpenTelemetrySdk sdk = TelemetrySdk.create(config.telemetry(), metrics);
        try {
            return new VeilUnderTest(VeilServer.start(config, sdk, Clocks.system(), metrics), Optional.of(sdk));
        } catch (RuntimeException | Error e) {
            sdk.close();
            throw e;
        }
    }

    /** The base URL of the management listener. */
    public String managementUrl() {
        return "http://127.0.0.1:" + server.managementPort().orElseThrow();
    }

    /** Starts Veil on {@code yaml}; the server port is forced to 0 (a free one). */
    public static VeilUnderTest start(String yaml) {
        return start(yaml, Map.of());
    }

    public static VeilUnderTest start(String yaml, Map<String, String> environment) {
        VeilConfig config = ConfigLoader.fromYaml(yaml, environment::get);
        return new VeilUnderTest(VeilServer.start(config));
    }

    /** Starts Veil on {@code yaml} with both its clocks read from {@code clock}, which only the test moves. */
    public static VeilUnderTest start(String yaml, FakeClock clock) {
        return new VeilUnderTest(VeilServer.start(ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get),
                OpenTelemetry.noop(), clock.clocks()));
    }

    /** Starts Veil on {@code yaml}, tracing through {@code openTelemetry}. */
    public static VeilUnderTest startTraced(String yaml, OpenTelemetry openTelemetry) {
        return new VeilUnderTest(VeilServer.start(ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get),
                openTelemetry));
    }

    /**
     * The usual test setup: an {@code openai} provider and a {@code deepseek}-preset compatible provider, both on
     * the fake, and the alias {@code smart} for {@code openai/gpt-4o}.
     */
    public static VeilUnderTest withUpstream(FakeOpenAiUpstream upstream) {
        return start(config(upstream, ""));
    }

    /** The usual test config plus extra lines under {@code veil:} (indented by the caller). */
    public static String config(FakeOpenAiUpstream upstream, String extraVeilYaml) {
        return """
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream-secret-1234"}
                    deepseek: {kind: openai-compatible, preset: deepseek, base-url: "%s", api-key: "sk-ds-secret"}
                  models:
                    smart: {targets: ["openai/gpt-4o"]}
                %s""".formatted(MASTER_KEY, upstream.baseUrl(), upstream.baseUrl(), extraVeilYaml);
    }

    /** The usual test config with the {@code openai} provider marked as retaining nothing. */
    public static String zeroRetentionConfig(FakeOpenAiUpstream upstream, String extraVeilYaml) {
        return config(upstream, extraVeilYaml).replace("api-key: \"sk-upstream-secret-1234\"}",
                "api-key: \"sk-upstream-secret-1234\", zero-retention: true}");
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The server itself, for what tests do to it besides requests (reload it, say). */
    public VeilServer server() {
        return server;
    }

    /** The routes the server serves. */
    public dev.veil.server.api.Routes routes() {
        return server.routes();
    }

    public HttpClient client() {
        return client;
    }

    /** POSTs JSON with the master key. */
    public HttpResponse<String> post(String path, String json) {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** GETs with the master key. */
    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + MASTER_KEY)
                .header("Content-Type", "application/json");
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            telemetry.ifPresent(OpenTelemetrySdk::close);
        }
    }
}
