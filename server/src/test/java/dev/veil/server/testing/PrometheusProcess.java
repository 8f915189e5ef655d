package dev.veil.server.testing;


import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Prometheus (Debian's {@code prometheus} package, which {@code ./veil test} installs) on a free loopback
 * port, in a directory of its own, scraping one target every 200 ms.
 */
public final class PrometheusProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    private PrometheusProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts Prometheus in {@code dir}, scraping {@code target} ({@code host:port}) at {@code metricsPath}. */
    public static PrometheusProcess start(Path dir, String target, String metricsPath) throws IOException {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global: {scrape_interval: 200ms, scrape_timeout: 150ms}
                scrape_configs:
                  - job_name: veil
                    metrics_path: %s
                    static_configs: [{targets: ["%s"]}]
                """.formatted(metricsPath, target));
        int port = LocalProcesses.freePort();
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary().toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusProcess prometheus = new PrometheusProcess(process, port, log);
        try {
            prometheus.awaitReady();
        } catch (RuntimeException e) {
            prometheus.close();
            throw e;
        }
        return prometheus;
    }

    /** The Prometheus binary: on the PATH, where Debian's package puts it. */
    public static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "prometheus");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Prometheus is missing: run ./veil test, which installs Debian's prometheus "
                + "package (or: apt-get install prometheus)");
    }

    /** The single value of an instant PromQL query, if it has one. */
    public Optional<Double> query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode result = JSON.readTree(response.body()).path("data").path("result");
        if (result.size() != 1) {
            return Optional.empty();
        }
        return Optional.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    }

    /** The health of the scrape target, as Prometheus last saw it ({@code up}, {@code down}, {@code unknown}). */
    public List<String> targetHealth() throws IOException, InterruptedException {
        JsonNode targets = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/targets"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body()).path("data").path("activeTargets");
        return java.util.stream.StreamSupport.stream(targets.spliterator(), false)
                .map(target -> target.path("health").asText() + " " + target.path("lastError").asText()).toList();
    }

    /** What Prometheus logged, for a failure's message. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    private String url() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady() {
        LocalProcesses.awaitOk("Prometheus becoming ready", process, URI.create(url() + "/-/ready"),
                Duration.ofSeconds(20), this::log);
    }

    @Override
    public void close() {
        LocalProcesses.stop(process);
    }
}
