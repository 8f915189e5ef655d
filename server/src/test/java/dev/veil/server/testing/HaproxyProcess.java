package dev.veil.server.testing;

import static dev.veil.server.testing.Awaits.await;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

/**
 * A real HAProxy (Debian's {@code haproxy} package, which {@code ./veil test} installs) in front of Veil replicas, on
 * a free loopback port, in a directory of its own. Its configuration is the one docs/deploy.md recommends: health
 * checks on each replica's management {@code /health/ready}, connection failures and empty responses retried on
 * another replica, and timeouts that let streams run. Its statistics (each server's state, retries, redispatches)
 * are read from its stats page.
 */
public final class HaproxyProcess implements AutoCloseable {
    /** One Veil replica as HAProxy addresses it: its API port, and the management port it is checked on. */
    public record Replica(String name, int port, int managementPort) {
    }

    /** One server's line of HAProxy's statistics. */
    public record ServerStats(String status, String lastCheck, long retries, long redispatches, long responses5xx) {
    }

    private final Process process;
    private final int port;
    private final int statsPort;
    private final Path log;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(500)).build();

    private HaproxyProcess(Process process, int port, int statsPort, Path log) {
        this.process = process;
        this.port = port;
        this.statsPort = statsPort;
        this.log = log;
    }

    /**
     * The configuration this class runs, balancing {@code replicas} on {@code port} and serving its statistics on
     * {@code statsPort}; health checks every {@code checkInterval}, a replica down after two failed ones.
     */
    public static String config(int port, int statsPort, Duration checkInterval, List<Replica> replicas) {
        StringBuilder servers = new StringBuilder();
        for (Replica replica : replicas) {
            servers.append("    server %s 127.0.0.1:%d check port %d%n".formatted(replica.name(), replica.port(),
                    replica.managementPort()));
        }
        return """
                global
                    log stdout format raw local0
                    maxconn 4096

                defaults
                    mode http
                    log global
                    option httplog
                    timeout connect 1s
                    timeout client 5m
                    timeout server 5m
                    timeout http-request 10s
                    timeout http-keep-alive 2m
                    timeout check 2s
                    retries 3
                    option redispatch 1
                    retry-on conn-failure empty-response

                frontend veil
                    bind 127.0.0.1:%d
                    default_backend veil

                backend veil
                    balance roundrobin
                    option httpchk GET /health/ready
                    default-server inter %dms fall 2 rise 2
                %s
                listen stats
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /stats
                """.formatted(port, checkInterval.toMillis(), servers, statsPort);
    }

    /** Starts HAProxy in {@code dir} in front of {@code replicas}, health-checking them every {@code checkInterval}. */
    public static HaproxyProcess start(Path dir, Duration checkInterval, List<Replica> replicas) throws IOException {
        int port = LocalProcesses.freePort();
        int statsPort = LocalProcesses.freePort();
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, config(port, statsPort, checkInterval, replicas));
        Path log = dir.resolve("haproxy.log");
        Process process = new ProcessBuilder(binary().toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HaproxyProcess haproxy = new HaproxyProcess(process, port, statsPort, log);
        try {
            haproxy.awaitStats();
        } catch (RuntimeException e) {
            haproxy.close();
            throw e;
        }
        return haproxy;
    }

    /** The HAProxy binary: on the PATH, or in /usr/sbin where Debian's package puts it. */
    public static Path binary() {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "haproxy");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("HAProxy is missing: run ./veil test, which installs Debian's haproxy "
                + "package (or: apt-get install haproxy)");
    }

    /** The URL clients call: HAProxy's frontend. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Each server of the Veil backend by name, as HAProxy last saw it. */
    public Map<String, ServerStats> servers() throws IOException, InterruptedException {
        return stats("veil", name -> !name.equals("FRONTEND") && !name.equals("BACKEND"));
    }

    /** The Veil backend as a whole: its retries and redispatches count every request's, whichever server. */
    public ServerStats backend() throws IOException, InterruptedException {
        return stats("veil", name -> name.equals("BACKEND")).get("BACKEND");
    }

    /** Waits until HAProxy's health checks have {@code server} in state {@code status} ({@code UP}, {@code DOWN}). */
    public void awaitServer(String server, String status, Duration atMost) throws IOException, InterruptedException {
        try {
            await(server + " " + status + " in HAProxy").atMost(atMost).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        assertAlive();
                        return status.equals(servers().get(server).status());
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(server + " not " + status + " in HAProxy after " + atMost + ": "
                    + servers().get(server), e);
        }
    }

    /** What HAProxy logged: one line per request, then its own messages. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The first {@code limit} logged requests that did not end with a 2xx response, for a failure's message. */
    public List<String> failedRequests(int limit) throws IOException {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(line -> line.contains(" veil veil/")
                    && !line.matches(".* veil veil/\\S+ \\S+ 2\\d\\d .*")).limit(limit).toList();
        }
    }

    private Map<String, ServerStats> stats(String proxy, java.util.function.Predicate<String> servers)
            throws IOException, InterruptedException {
        String csv = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
        List<String> lines = csv.lines().toList();
        List<String> header = List.of(lines.get(0).replaceFirst("^# ", "").split(",", -1));
        Map<String, ServerStats> stats = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length < header.size() || !fields[0].equals(proxy) || !servers.test(fields[1])) {
                continue;
            }
            stats.put(fields[1], new ServerStats(fields[header.indexOf("status")], fields[header.indexOf("last_chk")],
                    number(fields[header.indexOf("wretr")]), number(fields[header.indexOf("wredis")]),
                    number(fields[header.indexOf("hrsp_5xx")])));
        }
        return stats;
    }

    private static long number(String field) {
        return field.isEmpty() ? 0 : Long.parseLong(field);
    }

    private void awaitStats() {
        await("HAProxy serving its statistics").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    assertAlive();
                    try {
                        return !servers().isEmpty();
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    private void assertAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("HAProxy exited with status " + process.exitValue() + ": " + log());
        }
    }


    @Override
    public void close() {
        LocalProcesses.stop(process);
    }
}
