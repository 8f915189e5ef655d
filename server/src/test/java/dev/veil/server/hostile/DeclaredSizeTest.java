package dev.veil.server.hostile;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Memory follows the bytes a client sent, not the size it declared. */
class DeclaredSizeTest {
    private static final int CONNECTIONS = 100;
    private static final long DECLARED = 32L * 1024 * 1024;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.withUpstream(upstream);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        veil.close();
        upstream.close();
    }

    @Test
    void clientsThatDeclare32MiBAndSendOneByteCostLittleHeap() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), veil.port());
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: veil\r\nAuthorization: Bearer "
                    + VeilUnderTest.MASTER_KEY + "\r\nContent-Type: application/json\r\nContent-Length: " + DECLARED
                    + "\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            sockets.add(socket);
        }

        // The handlers start reading as soon as the headers are in; sample the heap while they wait for the rest.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(usedAfterGc(memory) - before)
                        .as("heap growth with %d connections each declaring %d bytes", CONNECTIONS, DECLARED)
                        .isLessThanOrEqualTo(10L * 1024 * 1024));
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
