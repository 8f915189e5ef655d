package dev.veil.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.veil.server.testing.RawHttpConnection;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile slow clients (100 that declare a 32 MiB body and send one byte, 40 that stop mid-headers) do not stop
 * normal traffic: a client sending ordinary requests all the while gets every answer, and each slow client is cut
 * off by its timeout, seen from its side as a 408 and then the server closing the connection.
 */
class SlowClientsUnderLoadTest {
    private static final String KEY = "Authorization: Bearer " + VeilUnderTest.MASTER_KEY;
    private static final String ECHO =
            "{\"model\":\"veil/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"still here?\"}]}";

    private VeilUnderTest veil;
    private final List<RawHttpConnection> slow = new ArrayList<>();

    @BeforeEach
    void start() {
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  providers: {veil: {kind: echo}}
                  limits: {header-timeout: 2s, body-idle-timeout: 2s, body-timeout: 1m, idle-timeout: 1m,
                           max-concurrent-requests: 128}
                """.formatted(VeilUnderTest.MASTER_KEY));
    }

    @AfterEach
    void stop() throws Exception {
        for (RawHttpConnection connection : slow) {
            connection.close();
        }
        veil.close();
    }

    @Test
    void normalTrafficIsServedWhileSlowClientsAreCutOffByTheirTimeouts() throws Exception {
        for (int i = 0; i < 100; i++) {
            slow.add(new RawHttpConnection(veil.port()).sendRaw("POST /v1/chat/completions HTTP/1.1\r\n"
                    + "Host: veil\r\n" + KEY + "\r\nContent-Type: application/json\r\nContent-Length: 33554432\r\n"
                    + "\r\n{"));
        }
        for (int i = 0; i < 40; i++) {
            slow.add(new RawHttpConnection(veil.port()).sendRaw("POST /v1/chat/completions HTTP/1.1\r\n"
                    + "Host: veil\r\n" + KEY + "\r\nContent-Ty"));
        }

        AtomicBoolean slowOnesClosed = new AtomicBoolean();
        List<Integer> statuses = new ArrayList<>();
        CompletableFuture<Void> normal = CompletableFuture.runAsync(() -> {
            // Until every slow client has been cut off, and a few more after.
            int after = 0;
            while (after < 5) {
                if (slowOnesClosed.get()) {
                    after++;
                }
                HttpResponse<String> response = veil.post("/v1/chat/completions", ECHO);
                synchronized (statuses) {
                    statuses.add(response.statusCode());
                }
            }
        });

        ExecutorService watchers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<String>> outcomes = new ArrayList<>();
            for (RawHttpConnection connection : slow) {
                outcomes.add(watchers.submit(() -> {
                    RawHttpConnection.Response response = connection.read();
                    return response.status() + (connection.closedByServer() ? " closed" : " open");
                }));
            }
            List<String> seen = new ArrayList<>();
            for (Future<String> outcome : outcomes) {
                seen.add(outcome.get());
            }
            slowOnesClosed.set(true);

            assertThat(seen).hasSize(140).containsOnly("408 closed");
        } finally {
            slowOnesClosed.set(true);
            watchers.shutdownNow();
        }
        normal.get();

        assertThat(statuses).isNotEmpty().containsOnly(200);
    }
}
