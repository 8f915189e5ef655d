package dev.veil.server.telemetry;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalProcesses;
import dev.veil.server.testing.PrometheusProcess;
import dev.veil.server.testing.VeilUnderTest;

/** A real Prometheus scrapes Veil's management listener, and PromQL over what it scraped counts the requests. */
class PrometheusScrapeTest {
    private static final int REQUESTS = 7;

    @TempDir
    Path dir;

    @Test
    void aPromQlSumOverTheScrapedRequestCounterReturnsTheRequestsSent() throws Exception {
        int managementPort = LocalProcesses.freePort();
        // Prometheus first: it hands new targets to its scrapers only every 5 s, so that wait overlaps Veil's start.
        try (PrometheusProcess prometheus = PrometheusProcess.start(dir, "127.0.0.1:" + managementPort,
                     "/prometheus");
             FakeOpenAiUpstream upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
             VeilUnderTest veil = VeilUnderTest.startAsMain(VeilUnderTest.config(upstream, """
                       management: {port: %d, path: /prometheus}
                     """.formatted(managementPort)))) {
            for (int i = 0; i < REQUESTS; i++) {
                assertThat(veil.post("/v1/chat/completions", """
                        {"model":"smart","stream":%s,"messages":[{"role":"user","content":"hi %d"}]}"""
                        .formatted(i % 2 == 0, i)).statusCode()).isEqualTo(200);
            }

            Optional<Double> counted = await("Prometheus scraping all " + REQUESTS + " requests")
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> prometheus.query("sum(veil_requests_total{job=\"veil\"})"),
                            value -> value.equals(Optional.of((double) REQUESTS)));

            assertThat(counted).contains((double) REQUESTS);
            assertThat(prometheus.query("sum(veil_request_duration_seconds_count{veil_surface=\"openai.chat\","
                    + "gen_ai_response_model=\"gpt-4o\"})")).contains((double) REQUESTS);
            assertThat(prometheus.targetHealth()).singleElement().asString().startsWith("up");
        }
    }
}
