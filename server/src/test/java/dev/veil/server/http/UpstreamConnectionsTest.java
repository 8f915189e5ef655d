package dev.veil.server.http;

import static dev.veil.server.http.UpstreamFixture.ANSWER;
import static dev.veil.server.http.UpstreamFixture.QUESTION;
import static dev.veil.server.http.UpstreamFixture.answering;
import static dev.veil.server.http.UpstreamFixture.closingAfterFirstAnswer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.veil.server.core.UpstreamException;
import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeHttpServer;
import io.helidon.http.Header;
import io.helidon.http.HeaderValues;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link UpstreamHttp} uses the connections {@link UpstreamClient} keeps alive: reused while fresh, replaced when
 * the server closed one while it sat idle, never used again after the server said {@code Connection: close} or ended
 * a body by closing; and a request sent again only when it cannot have reached the server whole.
 */
class UpstreamConnectionsTest {
    private FakeHttpServer server;

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void reusesOneConnectionForRequestsInTurn() throws Exception {
        server = new FakeHttpServer(answering());
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofSeconds(5));

        for (int i = 0; i < 5; i++) {
            assertThat(post(http)).isEqualTo(ANSWER);
        }

        assertThat(server.received()).hasSize(5);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void keepsUsingAConnectionThatPassesTheCheckBeforeEachUse() throws Exception {
        server = new FakeHttpServer(answering());
        UpstreamHttp http = UpstreamFixture.http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ZERO), Duration.ofSeconds(5));

        for (int i = 0; i < 5; i++) {
            assertThat(post(http)).isEqualTo(ANSWER);
        }

        assertThat(server.received()).hasSize(5);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void sendsTheRequestOnANewConnectionWhenTheServerClosedTheIdleOne() throws Exception {
        CountDownLatch closedAfterFirst = new CountDownLatch(1);
        server = new FakeHttpServer(closingAfterFirstAnswer(closedAfterFirst));
        UpstreamHttp http = UpstreamFixture.http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ZERO), Duration.ofSeconds(5));
        assertThat(post(http)).isEqualTo(ANSWER);
        assertThat(closedAfterFirst.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(post(http)).isEqualTo(ANSWER);

        assertThat(server.received()).hasSize(2);
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void readsAnAnswerWhoseBodyEndsWithTheConnection() throws Exception {
        server = new FakeHttpServer(answeringUntilClose());
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofSeconds(5));

        assertThat(post(http)).isEqualTo(ANSWER);
    }

    @Test
    void neverReusesTheConnectionOfAnAnswerThatEndedWithIt() throws Exception {
        server = new FakeHttpServer(answeringUntilClose());
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofSeconds(5));

        for (int i = 0; i < 3; i++) {
            assertThat(post(http)).isEqualTo(ANSWER);
        }

        assertThat(server.received()).hasSize(3);
        assertThat(server.connections()).isEqualTo(3);
    }

    @Test
    void doesNotSendAgainARequestTheServerReadBeforeTheConnectionDied() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        server = new FakeHttpServer(exchange -> {
            if (requests.incrementAndGet() == 2) {
                exchange.close();
                return;
            }
            exchange.respond(200, "application/json", ANSWER, Map.of());
        });
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofSeconds(5));
        assertThat(post(http)).isEqualTo(ANSWER);

        assertThatThrownBy(() -> post(http)).isInstanceOfSatisfying(UpstreamException.class,
                e -> assertThat(e.failure()).isEqualTo(UpstreamException.Failure.BROKEN));

        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    void doesNotSendAgainARequestWhoseAnswerBrokeOffInItsHead() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        server = new FakeHttpServer(exchange -> {
            if (requests.incrementAndGet() == 2) {
                exchange.write("HTTP/1.1 200 OK\r\nContent-Ty".getBytes(StandardCharsets.ISO_8859_1));
                exchange.close();
                return;
            }
            exchange.respond(200, "application/json", ANSWER, Map.of());
        });
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofSeconds(5));
        assertThat(post(http)).isEqualTo(ANSWER);

        assertThatThrownBy(() -> post(http)).isInstanceOf(UpstreamException.class);

        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    void sendsTheRequestAgainOnANewConnectionWhenWritingItToAResetIdleOneFails() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        CountDownLatch reset = new CountDownLatch(1);
        server = new FakeHttpServer(exchange -> {
            exchange.respond(200, "application/json", ANSWER, Map.of());
            if (answered.incrementAndGet() == 1) {
                exchange.reset();
                reset.countDown();
            }
        });
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofSeconds(5));
        assertThat(post(http)).isEqualTo(ANSWER);
        assertThat(reset.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(post(http)).isEqualTo(ANSWER);

        assertThat(server.received()).hasSize(2);
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void sendsNoHopByHopHeaderUpstream() throws Exception {
        server = new FakeHttpServer(answering());
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofSeconds(5));
        List<Header> headers = List.of(HeaderValues.create("Connection", "X-Hop-Named"),
                HeaderValues.create("X-Hop-Named", "1"), HeaderValues.create("Keep-Alive", "timeout=5"),
                HeaderValues.create("Proxy-Connection", "keep-alive"), HeaderValues.create("TE", "trailers"),
                HeaderValues.create("Trailer", "X-Checksum"), HeaderValues.create("Upgrade", "h2c"),
                HeaderValues.create("Proxy-Authorization", "Basic c2VjcmV0"),
                HeaderValues.create("Proxy-Authenticate", "Basic"), HeaderValues.create("X-Kept", "yes"));

        try (UpstreamResponse response = http.post(URI.create(server.origin() + "/v1/chat/completions"), headers,
                QUESTION, false)) {
            http.body(response);
        }

        assertThat(server.lastReceived().headers()).containsEntry("x-kept", "yes").doesNotContainKeys("connection",
                "x-hop-named", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "proxy-authorization",
                "proxy-authenticate", "transfer-encoding");
    }

    @Test
    void doesNotSendAgainWhenAReusedConnectionTimesOut() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        server = new FakeHttpServer(exchange -> {
            if (requests.incrementAndGet() > 1) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            exchange.respond(200, "application/json", ANSWER, Map.of());
        });
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofMillis(300));
        assertThat(post(http)).isEqualTo(ANSWER);

        assertThatThrownBy(() -> post(http)).isInstanceOfSatisfying(UpstreamException.class,
                e -> assertThat(e.failure()).isEqualTo(UpstreamException.Failure.TIMEOUT));
        release.countDown();

        assertThat(requests.get()).isEqualTo(2);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void opensANewConnectionAfterTheServerSaidConnectionClose() throws Exception {
        server = new FakeHttpServer(exchange -> {
            exchange.respond(200, "application/json", ANSWER, Map.of("Connection", "close"));
            exchange.close();
        });
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofSeconds(5));

        for (int i = 0; i < 3; i++) {
            assertThat(post(http)).isEqualTo(ANSWER);
        }

        assertThat(server.received()).hasSize(3);
        assertThat(server.connections()).isEqualTo(3);
    }

    @Test
    void closesRatherThanReusesAConnectionIdleForLongerThanTheIdleTimeout() throws Exception {
        server = new FakeHttpServer(answering());
        FakeClock clock = new FakeClock();
        UpstreamHttp http = UpstreamFixture.http(UpstreamClient.create(Duration.ofSeconds(2), Duration.ofMillis(50),
                clock), Duration.ofSeconds(5));

        assertThat(post(http)).isEqualTo(ANSWER);
        clock.advance(Duration.ofMillis(200));
        assertThat(post(http)).isEqualTo(ANSWER);

        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void keepsNoConnectionWhenTheIdleTimeoutIsZero() throws Exception {
        server = new FakeHttpServer(answering());
        UpstreamHttp http = http(Duration.ZERO, Duration.ofSeconds(5));

        for (int i = 0; i < 3; i++) {
            assertThat(post(http)).isEqualTo(ANSWER);
        }

        assertThat(server.connections()).isEqualTo(3);
    }

    @Test
    void reportsAConnectionRefusedAsAConnectFailure() throws Exception {
        server = new FakeHttpServer(answering());
        UpstreamHttp http = http(Duration.ofSeconds(30), Duration.ofSeconds(5));
        int closedPort;
        try (ServerSocket nothingListens = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = nothingListens.getLocalPort();
        }

        assertThatThrownBy(() -> http.post(URI.create("http://127.0.0.1:" + closedPort + "/v1/chat/completions"),
                List.of(), QUESTION, false)).isInstanceOfSatisfying(UpstreamException.class,
                e -> assertThat(e.failure()).isEqualTo(UpstreamException.Failure.CONNECT));
    }

    /** Answers every request with {@link UpstreamFixture#ANSWER} as a body that ends when the connection closes. */
    private static FakeHttpServer.Handler answeringUntilClose() {
        return exchange -> {
            exchange.startUntilClose("application/json");
            exchange.write(ANSWER);
            exchange.close();
        };
    }

    private byte[] post(UpstreamHttp http) throws UpstreamException {
        return UpstreamFixture.post(http, server);
    }

    private static UpstreamHttp http(Duration idleTimeout, Duration readTimeout) {
        return UpstreamFixture.http(UpstreamClient.create(Duration.ofSeconds(2), idleTimeout), readTimeout);
    }
}
