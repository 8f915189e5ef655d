package dev.veil.server.testing;

import static dev.veil.server.testing.Awaits.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * What the helpers that run a real program for a test (OPA, Prometheus, HAProxy, PostgreSQL, Veil itself) share: a
 * free loopback port, waiting until the program answers, and stopping it without leaving it behind.
 */
public final class LocalProcesses {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(500)).build();

    private LocalProcesses() {
    }

    /** A port nobody listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Waits until {@code uri} answers 200; fails at once, with the program's {@code log}, if {@code process} exits
     * first.
     */
    public static void awaitOk(String what, Process process, URI uri, Duration atMost, Callable<String> log) {
        await(what).atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + ": the process exited at startup with status "
                        + process.exitValue() + ": " + log.call());
            }
            try {
                return CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                // Not listening yet.
                return false;
            }
        });
    }

    /** Sends SIGTERM and waits for the process to end. */
    public static void stop(Process process) {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
