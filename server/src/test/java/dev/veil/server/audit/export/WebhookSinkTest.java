package dev.veil.server.audit.export;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.AuditConfig;

class WebhookSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private HttpServer server;
    private final List<JsonNode> batches = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/audit", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0 ? 500 : 204;
            if (status == 204) {
                batches.add(JSON.readTree(body));
                authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            }
            exchange.sendResponseHeaders(status, -1);
            try (OutputStream out = exchange.getResponseBody()) {
                out.flush();
            }
        });
        server.start();
    }

    @AfterEach
    void stopReceiver() {
        server.stop(0);
    }

    private List<Long> seqs() {
        return batches.stream().flatMap(batch -> java.util.stream.StreamSupport.stream(batch.spliterator(), false))
                .map(record -> record.path("seq").asLong()).toList();
    }

    @Test
    void batchesArriveAsJsonArraysWithTheConfiguredHeadersThroughFailures() throws Exception {
        failuresLeft.set(3);
        String yaml = ExportFixtures.yaml(dir, """
                      - name: hook
                        kind: webhook
                        url: "http://127.0.0.1:%d/audit"
                        headers: {Authorization: "Bearer hook-secret"}
                        backoff-initial: 10ms
                        backoff-max: 20ms
                """.formatted(server.getAddress().getPort()));
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 12);
            await("12 records at the webhook").atMost(Duration.ofSeconds(30)).until(() -> seqs().size() >= 12);
        }

        assertThat(seqs()).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 12).boxed().toList());
        assertThat(batches).allMatch(JsonNode::isArray);
        assertThat(authorizations).containsOnly("Bearer hook-secret");
        assertThat(batches.get(0).get(0).path("request_id").asText()).isEqualTo("req-1");
    }
}
