package dev.veil.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import dev.veil.server.testing.ErrorShape;
import dev.veil.server.testing.RawHttpConnection;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API reads bodies as the provider routes do: within max-request-bytes, and not past a broken one. */
class AdminBodyLimitTest {
    private static final String KEY = "Authorization: Bearer " + VeilUnderTest.MASTER_KEY;

    @TempDir
    static Path dataDir;

    private static VeilUnderTest veil;

    @BeforeAll
    static void start() {
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  data-dir: "%s"
                  providers: {veil: {kind: echo}}
                  limits: {max-request-bytes: 1KiB}
                """.formatted(VeilUnderTest.MASTER_KEY, dataDir));
    }

    @AfterAll
    static void stop() {
        veil.close();
    }

    @Test
    void aBodyDeclaredOverTheLimitIs413WithoutBeingRead() throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(veil.port())) {
            connection.sendRaw("POST /admin/tenants HTTP/1.1\r\nHost: veil\r\n" + KEY + "\r\nContent-Type: "
                    + "application/json\r\nContent-Length: 67108864\r\n\r\n{\"name\":");

            RawHttpConnection.Response response = connection.read();

            assertThat(response.status()).isEqualTo(413);
            assertThat(ErrorShape.openAi(response.bodyText()).path("message").asText())
                    .contains("veil.limits.max-request-bytes");
            assertThat(connection.closedByServer()).isTrue();
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(veil.port())) {
            String body = "{\"name\":\"" + "t".repeat(2000) + "\"}";
            connection.sendRaw("POST /admin/tenants HTTP/1.1\r\nHost: veil\r\n" + KEY + "\r\nContent-Type: "
                    + "application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length())
                    + "\r\n" + body + "\r\n0\r\n\r\n");

            assertThat(connection.read().status()).isEqualTo(413);
        }
    }
}
