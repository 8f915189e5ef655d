package dev.veil.server.listener;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.veil.server.testing.VeilUnderTest;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Veil instances behind a real HAProxy whose health check is its default {@code option httpchk}, an HTTP/1.0
 * request without {@code Host}: both must be UP, by a passing check, not by HAProxy's benefit of the doubt at start.
 * HAProxy comes from {@code src/test/haproxy/ensure-haproxy}, which installs it where missing; if that fails, so does
 * this test.
 */
class HaproxyHealthCheckTest {
    private static final Path ENSURE_HAPROXY = Path.of("src/test/haproxy/ensure-haproxy");
    /** A guard against checks that never complete, not a measurement: they run every 100 ms. */
    private static final Duration CHECKS_DEADLINE = Duration.ofSeconds(30);
    private static final String ECHO_CONFIG = """
            server: {host: 127.0.0.1, port: 0}
            veil:
              opa: {enabled: false}
              master-key: %s
              providers: {veil: {kind: echo}}
            """.formatted(VeilUnderTest.MASTER_KEY);

    @TempDir
    Path directory;

    @Test
    void marksBothInstancesUpWithItsDefaultHttp10HealthCheckAndServesThroughThem() throws Exception {
        String haproxy = ensureHaproxy();
        try (VeilUnderTest first = VeilUnderTest.start(ECHO_CONFIG);
             VeilUnderTest second = VeilUnderTest.start(ECHO_CONFIG)) {
            int frontend = freePort();
            Path stats = directory.resolve("stats.sock");
            Path config = Files.writeString(directory.resolve("haproxy.cfg"), """
                    global
                        stats socket %s mode 600 level operator
                    defaults
                        mode http
                        timeout connect 5s
                        timeout client 30s
                        timeout server 30s
                        # Without it a check must finish within inter; a fresh JVM's first request can take longer.
                        timeout check 10s
                    frontend veil
                        bind 127.0.0.1:%d
                        default_backend veils
                    backend veils
                        option httpchk GET /health/ready
                        server first 127.0.0.1:%d check inter 100ms
                        server second 127.0.0.1:%d check inter 100ms
                    """.formatted(stats, frontend, first.port(), second.port()));
            Path log = directory.resolve("haproxy.log");
            Process process = new ProcessBuilder(haproxy, "-db", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                Map<String, Map<String, String>> servers = serversOnceChecked(stats, process, log);

                for (String server : List.of("first", "second")) {
                    Map<String, String> stat = servers.get(server);
                    assertThat("%s %s %s".formatted(stat.get("status"), stat.get("check_status"), stat.get("check_code")))
                            .as("%s: status, last check, its HTTP status (last check said: %s)", server,
                                    stat.get("last_chk"))
                            .isEqualTo("UP L7OK 200");
                }
                HttpResponse<String> proxied = first.client().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + frontend + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(proxied.statusCode()).isEqualTo(200);
            } finally {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String ensureHaproxy() throws IOException, InterruptedException {
        Process ensure = new ProcessBuilder(ENSURE_HAPROXY.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String path = new String(ensure.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(ensure.waitFor()).as("%s could not provide haproxy (see its message above)", ENSURE_HAPROXY)
                .isZero();
        return path;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * The backend's servers by name, each as its {@code show stat} columns, once every server has a completed
     * check: before that HAProxy reports the state it assumes at start.
     */
    private static Map<String, Map<String, String>> serversOnceChecked(Path stats, Process haproxy, Path log)
            throws Exception {
        try {
            return await().atMost(CHECKS_DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> {
                assertThat(haproxy.isAlive()).as("haproxy exited: %s", logOf(log)).isTrue();
                return Files.exists(stats) ? servers(command(stats, "show stat")) : null;
            }, servers -> servers != null && servers.size() == 2 && servers.values().stream()
                    .noneMatch(server -> server.get("check_status").isEmpty()
                            || server.get("check_status").startsWith("INI")));
        } catch (ConditionTimeoutException e) {
            // What HAProxy reports after all, for the caller's assertions to name.
            assertThat(stats).as("haproxy did not start: %s", logOf(log)).exists();
            return servers(command(stats, "show stat"));
        }
    }

    private static Map<String, Map<String, String>> servers(String csv) {
        List<String> lines = csv.lines().filter(line -> !line.isBlank()).toList();
        List<String> columns = Arrays.asList(lines.getFirst().replaceFirst("^# ", "").split(",", -1));
        Map<String, Map<String, String>> servers = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> values = Arrays.asList(line.split(",", -1));
            Map<String, String> row = new HashMap<>();
            for (int index = 0; index < Math.min(columns.size(), values.size()); index++) {
                // "* " marks a check still running; the status after it is the last completed one.
                row.put(columns.get(index), values.get(index).replaceFirst("^\\* ", ""));
            }
            if (row.get("pxname").equals("veils") && !row.get("svname").equals("BACKEND")) {
                servers.put(row.get("svname"), row);
            }
        }
        return servers;
    }

    private static String command(Path socket, String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            StringBuilder answer = new StringBuilder();
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                answer.append(StandardCharsets.US_ASCII.decode(buffer));
                buffer.clear();
            }
            return answer.toString();
        }
    }

    private static String logOf(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "(no output)";
    }
}
