package dev.veil.server.http;

import static dev.veil.server.http.UpstreamFixture.ANSWER;
import static dev.veil.server.http.UpstreamFixture.answering;
import static dev.veil.server.http.UpstreamFixture.closingAfterFirstAnswer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import dev.veil.server.core.UpstreamException;
import dev.veil.server.testing.FakeHttpServer;
import io.helidon.common.tls.Tls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pooled connections over TLS, as every hosted provider is reached, and {@code veil.upstream.ca-file}: certificates
 * made by the JDK's keytool, trusted through a PEM file as an operator would configure a private CA.
 */
class UpstreamTlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    private static SSLContext serverTls;
    private static SSLContext otherHostTls;
    private static Tls clientTls;

    private FakeHttpServer server;

    @BeforeAll
    static void makeCertificates(@TempDir Path dir) throws Exception {
        KeyStore keys = keytool(dir.resolve("fake.p12"), "SAN=ip:127.0.0.1,dns:localhost");
        KeyStore otherHost = keytool(dir.resolve("other.p12"), "SAN=dns:provider.example");
        serverTls = serverContext(keys);
        otherHostTls = serverContext(otherHost);

        // Both certificates are trusted: the other host's must then be refused for its name alone.
        Path caFile = Files.writeString(dir.resolve("ca.pem"), pem(keys) + pem(otherHost));
        clientTls = Tls.builder().sslContext(UpstreamTrust.withCaFile(caFile)).build();
    }

    private static String pem(KeyStore keys) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getCertificate("fake").getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }

    /** A key pair and self-signed certificate with the given subject alternative names, made by the JDK's keytool. */
    private static KeyStore keytool(Path keystore, String san) throws Exception {
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "fake", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=fake",
                "-ext", san, "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD);
        }
        return keys;
    }

    private static SSLContext serverContext(KeyStore keys) throws Exception {
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void reusesOneTlsConnectionForRequestsInTurn() throws Exception {
        server = new FakeHttpServer(answering(), serverTls);
        UpstreamHttp http = http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30), clientTls));

        for (int i = 0; i < 3; i++) {
            assertThat(post(http)).isEqualTo(ANSWER);
        }

        assertThat(server.received()).hasSize(3);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void keepsUsingATlsConnectionThatPassesTheCheckBeforeEachUse() throws Exception {
        server = new FakeHttpServer(answering(), serverTls);
        UpstreamHttp http = http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30), clientTls,
                Duration.ZERO));

        for (int i = 0; i < 3; i++) {
            assertThat(post(http)).isEqualTo(ANSWER);
        }

        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void sendsTheRequestOverANewTlsConnectionWhenTheServerClosedTheIdleOne() throws Exception {
        CountDownLatch closedAfterFirst = new CountDownLatch(1);
        server = new FakeHttpServer(closingAfterFirstAnswer(closedAfterFirst), serverTls);
        UpstreamHttp http = http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30), clientTls,
                Duration.ZERO));
        assertThat(post(http)).isEqualTo(ANSWER);
        assertThat(closedAfterFirst.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(post(http)).isEqualTo(ANSWER);

        assertThat(server.received()).hasSize(2);
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void refusesAServerWhoseCertificateTheClientDoesNotTrust() throws Exception {
        server = new FakeHttpServer(answering(), serverTls);
        UpstreamHttp http = http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30)));

        assertThatThrownBy(() -> post(http)).isInstanceOf(UpstreamException.class);
        assertThat(server.received()).isEmpty();
    }

    @Test
    void refusesATrustedCertificateIssuedForAnotherHost() throws Exception {
        server = new FakeHttpServer(answering(), otherHostTls);
        UpstreamHttp http = http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30), clientTls));

        assertThatThrownBy(() -> post(http)).isInstanceOf(UpstreamException.class);
        assertThat(server.received()).isEmpty();
    }

    private byte[] post(UpstreamHttp http) throws UpstreamException {
        return UpstreamFixture.post(http, server);
    }

    private static UpstreamHttp http(UpstreamClient client) {
        return UpstreamFixture.http(client, Duration.ofSeconds(5));
    }
}
