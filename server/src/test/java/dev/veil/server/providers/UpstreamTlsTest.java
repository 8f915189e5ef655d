package dev.veil.server.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.ProviderKind;
import dev.veil.server.testing.FakeHttpServer;
import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.HttpClientResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pooled connections over TLS, as every hosted provider is reached: a certificate for 127.0.0.1 made by the JDK's
 * keytool, trusted by the client under test and by nothing else.
 */
class UpstreamTlsTest {
    private static final byte[] ANSWER = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
    private static final char[] PASSWORD = "changeit".toCharArray();

    private static SSLContext serverTls;
    private static SSLContext clientTrust;

    private FakeHttpServer server;

    @BeforeAll
    static void makeCertificate(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("fake.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "fake", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keyManagers.getKeyManagers(), null, null);

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("fake", keys.getCertificate("fake"));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        clientTrust = SSLContext.getInstance("TLS");
        clientTrust.init(null, trustManagers.getTrustManagers(), null);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void reusesOneTlsConnectionForRequestsInTurn() throws Exception {
        server = new FakeHttpServer(exchange -> exchange.respond(200, "application/json", ANSWER, Map.of()),
                serverTls);
        UpstreamHttp http = http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Tls.builder().sslContext(clientTrust).build()));

        for (int i = 0; i < 3; i++) {
            assertThat(post(http)).isEqualTo(ANSWER);
        }

        assertThat(server.received()).hasSize(3);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void sendsTheRequestAgainOverANewTlsConnectionWhenTheServerClosedTheIdleOne() throws Exception {
        CountDownLatch closedAfterFirst = new CountDownLatch(1);
        AtomicInteger answered = new AtomicInteger();
        server = new FakeHttpServer(exchange -> {
            exchange.respond(200, "application/json", ANSWER, Map.of());
            if (answered.incrementAndGet() == 1) {
                exchange.close();
                closedAfterFirst.countDown();
            }
        }, serverTls);
        UpstreamHttp http = http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Tls.builder().sslContext(clientTrust).build()));
        assertThat(post(http)).isEqualTo(ANSWER);
        assertThat(closedAfterFirst.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(post(http)).isEqualTo(ANSWER);

        assertThat(server.received()).hasSize(2);
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void refusesAServerWhoseCertificateTheClientDoesNotTrust() throws Exception {
        server = new FakeHttpServer(exchange -> exchange.respond(200, "application/json", ANSWER, Map.of()),
                serverTls);
        UpstreamHttp http = http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30)));

        assertThatThrownBy(() -> post(http)).isInstanceOf(UpstreamException.class);
        assertThat(server.received()).isEmpty();
    }

    private byte[] post(UpstreamHttp http) throws UpstreamException {
        try (HttpClientResponse response = http.post(URI.create(server.origin() + "/v1/chat/completions"),
                List.of(), "{}".getBytes(StandardCharsets.UTF_8), false)) {
            return http.body(response);
        }
    }

    private static UpstreamHttp http(UpstreamClient client) {
        ProviderConfig config = new ProviderConfig("fake", ProviderKind.OPENAI_COMPATIBLE, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), false, List.of(), Map.of(), Optional.empty(),
                Map.of(), Duration.ofSeconds(5), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
        return new UpstreamHttp(client, config, 1 << 20);
    }
}
