package dev.veil.server;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalProcesses;

/**
 * SIGTERM to a real Veil process, with a stream in flight: readiness turns false at once while liveness stays up, new
 * connections are refused after the drain delay, the stream completes, its audit record is committed, and the
 * process exits 0.
 */
class GracefulShutdownTest {
    private static final String MASTER_KEY = "shutdown-test-master-key";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sigtermDrainsAStreamInFlightFlushesItsAuditRecordAndExitsZero() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (FakeOpenAiUpstream upstream = new FakeOpenAiUpstream().on("gpt-4o",
                FakeOpenAiUpstream.gated("first ", release, List.of("second ", "last")))) {
            int port = LocalProcesses.freePort();
            int managementPort = LocalProcesses.freePort();
            Path key = dir.resolve("audit-key");
            Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]));
            Path configFile = dir.resolve("veil.yaml");
            Files.writeString(configFile, """
                    server: {host: 127.0.0.1, port: %d}
                    veil:
                      opa: {enabled: false}
                      master-key: %s
                      data-dir: "%s"
                      providers:
                        openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                      audit: {key-file: "%s", mode: async}
                      management: {port: %d}
                      shutdown: {drain-delay: 300ms, deadline: 30s}
                    """.formatted(port, MASTER_KEY, dir.resolve("data"), upstream.baseUrl(), key, managementPort));
            VeilConfig config = ConfigLoader.load(configFile, Map.<String, String>of()::get);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process veil = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "dev.veil.server.Main", "--config", configFile.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("veil.log").toFile()).start();
            try {
                await("Veil ready").atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(IOException.class)
                        .until(() -> status(managementPort, "/health/ready") == 200);

                HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + port + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + MASTER_KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"model":"openai/gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}
                                """)).build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(stream.statusCode()).isEqualTo(200);
                String requestId = stream.headers().firstValue("x-veil-request-id").orElseThrow();
                InputStream body = stream.body();
                assertThat(readUntil(body, "first ")).contains("first ");

                veil.destroy();

                await("not ready").atMost(Duration.ofSeconds(10)).until(() ->
                        status(managementPort, "/health/ready") == 503);
                assertThat(status(managementPort, "/health/live")).isEqualTo(200);
                await("new connections refused").atMost(Duration.ofSeconds(10)).until(() -> refused(port));
                assertThat(veil.isAlive()).as("Veil waits for the stream in flight").isTrue();

                release.countDown();
                String rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);

                assertThat(rest).contains("second ", "last", "data: [DONE]");
                assertThat(veil.waitFor(30, TimeUnit.SECONDS)).as("Veil exited").isTrue();
                assertThat(veil.exitValue()).as(Files.readString(dir.resolve("veil.log"))).isZero();
                try (AuditDatabase database = AuditDatabase.open(config.audit().orElseThrow(), false)) {
                    assertThat(new AuditExporter(database).all().values())
                            .anySatisfy(record -> assertThat(record.get("request_id")).isEqualTo(requestId));
                }
            } finally {
                release.countDown();
                veil.destroyForcibly();
                veil.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private int status(int port, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static boolean refused(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    /** Reads the stream until {@code marker} arrived, and returns what was read. */
    private static String readUntil(InputStream body, String marker) throws IOException {
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[256];
        while (!read.toString().contains(marker)) {
            int n = body.read(buffer);
            if (n < 0) {
                break;
            }
            read.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return read.toString();
    }

}
