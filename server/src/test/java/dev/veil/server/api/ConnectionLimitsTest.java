package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.config.ConnectionLimits;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/** Veil takes a bounded number of requests at once, refuses the excess, and recovers when the load drops. */
class ConnectionLimitsTest {
    private static final String HELLO = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
            upstream.close();
        }
    }

    @Test
    void refusesRequestsOverTheLimitAndServesAgainOnceTheLoadDrops() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        upstream = new FakeOpenAiUpstream().on("gpt-4o", exchange -> {
            arrived.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            FakeOpenAiUpstream.echo().respond(exchange);
        });
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "  limits: {max-concurrent-requests: 1}\n"));

        CompletableFuture<HttpResponse<String>> first = veil.client().sendAsync(veil.request("/v1/chat/completions")
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> refused = veil.post("/v1/chat/completions", HELLO);
        release.countDown();

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
        assertThat(new ObjectMapper().readTree(refused.body()).path("error").path("code").asText())
                .isEqualTo("overloaded");
        assertThat(veil.get("/health/live").statusCode()).isEqualTo(200);
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(veil.post("/v1/chat/completions", HELLO).statusCode()).isEqualTo(200);
    }

    @Test
    void derivesBothLimitsFromTheOpenFileLimitWhenNotConfigured() {
        ConnectionLimits derived = new ConnectionLimits(0, 0);

        assertThat(derived.connections()).isGreaterThanOrEqualTo(64);
        assertThat(derived.requests()).isEqualTo(derived.connections());
        assertThat(new ConnectionLimits(10, 20).requests()).isEqualTo(20);
    }
}
