package dev.veil.server.testing;

import static dev.veil.server.testing.Awaits.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Veil as a deployment runs it: {@code dev.veil.server.Main} in a JVM of its own, on a config file, so that a test
 * can send it SIGTERM and read its exit status. Its output goes to a log file in the test's directory.
 */
public final class VeilProcess implements AutoCloseable {
    /**
     * Options for a short-lived test JVM: C1 only, which halves the start on a busy machine and serves a test's load
     * with room to spare.
     */
    private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private final Process process;
    private final Path log;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(500)).build();

    private VeilProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts Veil on {@code config} with {@code environment} added to this JVM's (what the config's {@code ${NAME}}
     * references read), writing its output to {@code log}; it runs on this test's class path.
     */
    public static VeilProcess start(Path config, Map<String, String> environment, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.veil.server.Main", "--config",
                config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new VeilProcess(builder.start(), log);
    }

    /** Waits until the management listener on {@code managementPort} answers ready. */
    public void awaitReady(int managementPort, Duration atMost) {
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        await("Veil ready on management port " + managementPort).atMost(atMost).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Veil exited at startup with status " + process.exitValue()
                                + ": " + log());
                    }
                    try {
                        return client.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /** Sends SIGKILL and waits for the process to be gone: a replica dying with no chance to clean up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM, as an orchestrator does to stop a replica. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to end and returns its exit status; fails if it is still running after {@code atMost}. */
    public int awaitExit(Duration atMost) throws InterruptedException, IOException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Veil still running " + atMost + " after SIGTERM: " + log());
        }
        return process.exitValue();
    }

    /** What Veil wrote to its standard output and error. */
    public String log() throws IOException {
        return Files.readString(log);
    }


    /** Kills the process if it still runs: a failed test must not leave a JVM behind. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
