package dev.veil.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * A target's circuit breaker through the real server: three failures open it, after which requests skip the target
 * without calling it; after the cooldown exactly one request probes it; the probe's success closes the circuit and
 * its failure opens it again.
 */
class RoutingBreakerTest {
    private static final String ASK = """
            {"model":"chat","messages":[{"role":"user","content":"hi"}]}""";
    private static final Duration COOLDOWN = Duration.ofMillis(300);
    private static final FakeOpenAiUpstream.Behavior FAILING =
            FakeOpenAiUpstream.error(500, "server_error", "The server had an error", null);

    private final FakeClock clock = new FakeClock();
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private void route() {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: routing
                      retries: 0
                      breaker: {failures: 3, window: 30s, cooldown: %dms}
                      routes:
                        chat:
                          targets: [{target: openai/first}, {target: deepseek/second}]
                """.formatted(COOLDOWN.toMillis())), clock);
    }

    private int callsTo(String model) {
        return (int) upstream.received().stream().filter(r -> r.body().path("model").asText().equals(model)).count();
    }

    private HttpResponse<String> ask() {
        return veil.post("/v1/chat/completions", ASK);
    }

    private void openTheCircuitOfFirst() {
        upstream.on("first", FAILING);
        for (int i = 0; i < 3; i++) {
            assertThat(ask().headers().firstValue("x-veil-attempts")).hasValue("2");
        }
    }

    private void waitForTheCooldown() {
        clock.advance(COOLDOWN);
    }

    @Test
    void opensAfterThreeFailuresSoThatRequestsSkipTheTargetWithoutCallingIt() {
        route();
        openTheCircuitOfFirst();

        HttpResponse<String> response = ask();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("second");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("1");
        assertThat(callsTo("first")).isEqualTo(3);
    }

    @Test
    void letsOneProbeThroughAfterTheCooldownAndClosesWhenItSucceeds() throws Exception {
        route();
        openTheCircuitOfFirst();
        upstream.on("first", FakeOpenAiUpstream.echo());
        waitForTheCooldown();

        HttpResponse<String> probe = ask();
        HttpResponse<String> after = ask();

        assertThat(probe.headers().firstValue("x-veil-model")).hasValue("first");
        assertThat(probe.headers().firstValue("x-veil-attempts")).hasValue("1");
        assertThat(after.headers().firstValue("x-veil-model")).as("the circuit closed").hasValue("first");
        assertThat(callsTo("first")).isEqualTo(5);
    }

    @Test
    void keepsOtherRequestsAwayWhileTheProbeIsInFlight() throws Exception {
        route();
        openTheCircuitOfFirst();
        CountDownLatch probing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        upstream.on("first", exchange -> {
            probing.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            FakeOpenAiUpstream.echo().respond(exchange);
        });
        waitForTheCooldown();
        CompletableFuture<HttpResponse<String>> probe = CompletableFuture.supplyAsync(this::ask);
        assertThat(probing.await(10, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> meanwhile = ask();
        release.countDown();

        assertThat(meanwhile.headers().firstValue("x-veil-model")).hasValue("second");
        assertThat(meanwhile.headers().firstValue("x-veil-attempts")).hasValue("1");
        assertThat(probe.get(10, TimeUnit.SECONDS).headers().firstValue("x-veil-model")).hasValue("first");
        assertThat(callsTo("first")).isEqualTo(4);
    }

    @Test
    void opensAgainWhenTheProbeFails() throws Exception {
        route();
        openTheCircuitOfFirst();
        waitForTheCooldown();

        HttpResponse<String> probe = ask();
        HttpResponse<String> after = ask();

        assertThat(probe.headers().firstValue("x-veil-model")).hasValue("second");
        assertThat(probe.headers().firstValue("x-veil-attempts")).as("the probe tried first, then failed over")
                .hasValue("2");
        assertThat(after.headers().firstValue("x-veil-attempts")).as("open again for another cooldown")
                .hasValue("1");
        assertThat(callsTo("first")).isEqualTo(4);
    }

    @Test
    void doesNotCountRequestsTheTargetRejectedAsTheClientsFault() {
        upstream.on("first", FakeOpenAiUpstream.error(400, "invalid_request_error", "bad temperature", null));
        route();
        for (int i = 0; i < 3; i++) {
            assertThat(ask().statusCode()).isEqualTo(400);
        }
        upstream.on("first", FakeOpenAiUpstream.echo());

        HttpResponse<String> response = ask();

        assertThat(response.headers().firstValue("x-veil-model")).hasValue("first");
    }

    @Test
    void guardsTargetsVeilResolvedItselfForModelsWithoutARoute() {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                    resilient: {targets: ["openai/first", "deepseek/second"]}
                  plugins:
                    - name: routing
                      retries: 0
                      breaker: {failures: 3, window: 30s, cooldown: 30s}
                """));
        upstream.on("first", FAILING);
        String resilient = ASK.replace("\"chat\"", "\"resilient\"");
        for (int i = 0; i < 3; i++) {
            veil.post("/v1/chat/completions", resilient);
        }

        HttpResponse<String> response = veil.post("/v1/chat/completions", resilient);

        assertThat(response.headers().firstValue("x-veil-model")).hasValue("second");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("1");
        assertThat(callsTo("first")).isEqualTo(3);
    }
}
