package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.testing.Awaits;
import dev.veil.server.testing.FakeOpenAiUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Veil in its own JVM, audit in sync mode, killed with SIGKILL under concurrent load: every request whose client got
 * a complete answer has a record, and the chain verifies after the kill.
 */
class AuditCrashTest {
    private static final String MASTER_KEY = "crash-test-master-key";

    @TempDir
    Path dir;

    @Test
    void sigkillUnderLoadLosesNoRecordOfACompletedRequest() throws Exception {
        Path key = AuditFixtures.newKeyFile(dir, "audit-key");
        AuditConfig audit = AuditFixtures.config(dir.resolve("audit.db"), key, false, 50);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Set<String> completed = ConcurrentHashMap.newKeySet();
        try (FakeOpenAiUpstream upstream = new FakeOpenAiUpstream()) {
            Path config = dir.resolve("veil.yaml");
            Files.writeString(config, """
                    server: {host: 127.0.0.1, port: %d}
                    veil:
                      opa: {enabled: false}
                      master-key: %s
                      data-dir: "%s"
                      providers:
                        openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                      audit: {key-file: "%s", file: "%s", mode: sync, checkpoint: {records: 50}}
                    """.formatted(port, MASTER_KEY, dir, upstream.baseUrl(), key, audit.database()));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process veil = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "dev.veil.server.Main", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("veil.log").toFile()).start();
            try {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                awaitReady(client, port);
                AtomicBoolean running = new AtomicBoolean(true);
                ExecutorService load = Executors.newVirtualThreadPerTaskExecutor();
                for (int i = 0; i < 32; i++) {
                    load.submit(() -> {
                        while (running.get()) {
                            send(client, port, completed);
                        }
                    });
                }
                Awaits.await("300 completed requests").atMost(Duration.ofSeconds(20))
                        .until(() -> completed.size() >= 300);
                veil.destroyForcibly();
                veil.waitFor(10, TimeUnit.SECONDS);
                running.set(false);
                load.shutdown();
                load.awaitTermination(30, TimeUnit.SECONDS);
            } finally {
                veil.destroyForcibly();
            }
        }

        assertThat(completed).hasSizeGreaterThanOrEqualTo(300);
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            AuditVerifier.Result result = new AuditVerifier(database).verify(1);
            assertThat(result.ok()).as(result.problem().orElse("ok")).isTrue();
            Set<String> recorded = new AuditExporter(database).all().values().stream()
                    .map(record -> (String) record.get("request_id")).collect(Collectors.toSet());
            assertThat(recorded).containsAll(completed);
        }
    }

    private static void send(HttpClient client, int port, Set<String> completed) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + MASTER_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"openai/gpt-4o\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"crash test\"}]}"))
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && response.body().endsWith("}")
                    && response.body().contains("\"choices\"")) {
                response.headers().firstValue("x-veil-request-id").ifPresent(completed::add);
            }
        } catch (Exception e) {
            // The server was killed mid-request: this request did not complete.
        }
    }

    private static void awaitReady(HttpClient client, int port) {
        Awaits.await("Veil live").atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/health/live")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }
}
