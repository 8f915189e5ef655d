package dev.veil.server;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.testing.ConstantRateLoad;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.HaproxyProcess.Replica;
import dev.veil.server.testing.HaproxyProcess;
import dev.veil.server.testing.LocalProcesses;
import dev.veil.server.testing.VeilProcess;

/**
 * A rolling restart at full traffic: two Veil replicas (child JVMs, one config) behind a real HAProxy, 200 chat
 * completions a second through it, half of them streams that run while their replica stops, and each replica in turn
 * sent SIGTERM, waited for (exit 0) and started again. No request may fail and no stream may be cut.
 *
 * <p>The timing rule it exercises (docs/deploy.md, "Zero-downtime restarts"): Veil's drain delay (its default, 5 s)
 * outlasts the time HAProxy takes to mark a replica down (check interval × fall: 250 ms × 2, and what the checks take
 * on a busy machine), so that no new request reaches a replica whose listener has closed.
 */
class ZeroDowntimeRestartTest {
    private static final String MASTER_KEY = "restart-test-master-key";
    private static final int REQUESTS_PER_SECOND = 200;
    private static final List<String> PIECES = List.of("Every ", "stream ", "ends ", "with ", "its ", "last piece.");
    /** Between stream chunks: a stream takes half a second, so dozens are in flight when a replica stops. */
    private static final Duration PAUSE = Duration.ofMillis(80);
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(250);
    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void restartingEachReplicaInTurnUnderLoadFailsNoRequestAndCutsNoStream() throws Exception {
        try (FakeOpenAiUpstream upstream = new FakeOpenAiUpstream()
                .on("gpt-4o", FakeOpenAiUpstream.answer(PIECES, PAUSE))) {
            Path config = dir.resolve("veil.yaml");
            Files.writeString(config, """
                    server:
                      host: 127.0.0.1
                      port: ${VEIL_PORT}
                    veil:
                      opa: {enabled: false}
                      master-key: %s
                      data-dir: "${VEIL_DATA_DIR}"
                      upstream: {connect-timeout: 2s, read-timeout: 10s}
                      providers:
                        openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                      management:
                        host: 127.0.0.1
                        port: ${VEIL_MANAGEMENT_PORT}
                    """.formatted(MASTER_KEY, upstream.baseUrl()));
            List<Replica> replicas = List.of(
                    new Replica("veil-1", LocalProcesses.freePort(), LocalProcesses.freePort()),
                    new Replica("veil-2", LocalProcesses.freePort(), LocalProcesses.freePort()));
            List<VeilProcess> processes = new ArrayList<>();
            try {
                for (Replica replica : replicas) {
                    processes.add(start(config, replica, 1));
                }
                for (int i = 0; i < replicas.size(); i++) {
                    processes.get(i).awaitReady(replicas.get(i).managementPort(), START);
                }
                try (HaproxyProcess haproxy = HaproxyProcess.start(dir, CHECK_INTERVAL, replicas)) {
                    for (Replica replica : replicas) {
                        haproxy.awaitServer(replica.name(), "UP", START);
                    }
                    ConstantRateLoad load = ConstantRateLoad.start(haproxy.url(), MASTER_KEY, "openai/gpt-4o",
                            String.join("", PIECES), REQUESTS_PER_SECOND);
                    ConstantRateLoad.Report report;
                    List<String> restarts = new ArrayList<>();
                    try {
                        // Replicas in production are warm: the first restart comes once the JIT has compiled the
                        // request path, not while every process competes for the CPU to do so.
                        awaitEnded(load, 3 * REQUESTS_PER_SECOND);
                        for (int i = 0; i < replicas.size(); i++) {
                            Replica replica = replicas.get(i);
                            long stop = System.nanoTime();
                            processes.get(i).terminate();
                            haproxy.awaitServer(replica.name(), "DOWN", START);
                            long markedDown = System.nanoTime();
                            int status = processes.get(i).awaitExit(Duration.ofSeconds(60));
                            long exited = System.nanoTime();
                            assertThat(status).as(processes.get(i).log()).isZero();
                            processes.set(i, start(config, replica, 2));
                            haproxy.awaitServer(replica.name(), "UP", START);
                            restarts.add(("%s: marked down %d ms after SIGTERM, exited 0 after %d ms, up again "
                                    + "after %d ms").formatted(replica.name(), millis(markedDown - stop),
                                    millis(exited - stop), millis(System.nanoTime() - stop)));
                            awaitEnded(load, REQUESTS_PER_SECOND);
                        }
                    } finally {
                        report = load.stop();
                    }
                    HaproxyProcess.ServerStats backend = haproxy.backend();
                    System.out.printf("Zero-downtime restarts at %d requests/s: %s%n  %s%n  HAProxy: %d retries, "
                                    + "%d redispatches, %d 5xx%n", REQUESTS_PER_SECOND, report,
                            String.join("\n  ", restarts), backend.retries(), backend.redispatches(),
                            backend.responses5xx());

                    assertThat(report.failed()).as("failed requests: %s; HAProxy logged %s", report.failures(),
                            haproxy.failedRequests(20)).isZero();
                    assertThat(report.truncated()).as("truncated streams").isZero();
                    assertThat(report.completedStreams()).as("streams").isPositive();
                }
            } finally {
                for (VeilProcess process : processes) {
                    process.close();
                }
            }
        }
    }

    private VeilProcess start(Path config, Replica replica, int run) throws IOException {
        return VeilProcess.start(config, Map.of(
                        "VEIL_PORT", Integer.toString(replica.port()),
                        "VEIL_MANAGEMENT_PORT", Integer.toString(replica.managementPort()),
                        "VEIL_DATA_DIR", dir.resolve(replica.name()).toString()),
                dir.resolve(replica.name() + "-" + run + ".log"));
    }

    /** Lets the load run until {@code count} more requests have ended: both replicas serve between restarts. */
    private static void awaitEnded(ConstantRateLoad load, int count) {
        int target = load.ended() + count;
        await("load running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> load.ended() >= target);
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
