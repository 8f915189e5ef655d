package dev.veil.server;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.VeilConfig;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One owner closes everything Veil opens: on shutdown, and after a startup that fails half-way. */
class LifecycleTest {
    /** The threads Veil's parts start: the audit log, the spend ledger, the OPA catalogue publisher. */
    private static final Set<String> VEIL_THREADS = Set.of("veil-audit-writer", "veil-audit-housekeeping",
            "veil-spend-writer", "veil-opa-catalog");

    @TempDir
    Path dir;

    private VeilConfig config(int port) throws Exception {
        Path key = dir.resolve("audit-key");
        Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]));
        return ConfigLoader.fromYaml("""
                server: {host: 127.0.0.1, port: %d}
                veil:
                  master-key: lifecycle-master-key
                  data-dir: "%s"
                  opa: {url: "http://127.0.0.1:9"}
                  audit: {key-file: "%s", mode: async}
                  providers: {veil: {kind: echo}}
                """.formatted(port, dir, key), Map.<String, String>of()::get);
    }

    @Test
    void aStartThatFailsHalfWayLeavesNoThreadBehind() throws Exception {
        Set<Thread> before = liveVeilThreads();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            VeilConfig config = config(taken.getLocalPort());

            assertThatThrownBy(() -> VeilServer.start(config)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
        }

        assertThat(threadsStartedSince(before)).isEmpty();
    }

    @Test
    void closingTheServerStopsEveryThreadItStarted() throws Exception {
        Set<Thread> before = liveVeilThreads();
        VeilServer server = VeilServer.start(config(0));
        assertThat(liveVeilThreads()).hasSizeGreaterThan(before.size());

        server.close();

        assertThat(threadsStartedSince(before)).isEmpty();
    }

    /**
     * Veil's threads that were not alive before, still alive once those told to stop have had time to end (awaited
     * for at most 10 s): other tests' servers in this JVM do not count.
     */
    private static List<String> threadsStartedSince(Set<Thread> before) {
        try {
            return await().atMost(Duration.ofSeconds(10)).until(() -> started(before), List::isEmpty);
        } catch (ConditionTimeoutException e) {
            return started(before);
        }
    }

    private static List<String> started(Set<Thread> before) {
        return liveVeilThreads().stream().filter(thread -> !before.contains(thread)).map(Thread::getName).toList();
    }

    private static Set<Thread> liveVeilThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(thread -> VEIL_THREADS.contains(thread.getName()))
                .collect(java.util.stream.Collectors.toSet());
    }
}
