package dev.veil.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;

/** The routing plugin's breaker states reach Veil's metrics through the plugin API's gauge. */
class RoutingMetricsTest {
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build()).build();
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
        openTelemetry.close();
    }

    @Test
    void reportsAnOpenBreakerAsTwoAndAClosedOneAsZero() throws Exception {
        upstream = new FakeOpenAiUpstream()
                .on("first", FakeOpenAiUpstream.error(500, "server_error", "The server had an error", null))
                .on("second", FakeOpenAiUpstream.echo());
        veil = VeilUnderTest.startTraced(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: routing
                      retries: 0
                      breaker: {failures: 2, window: 30s, cooldown: 60s}
                      routes:
                        chat:
                          targets: [{target: openai/first}, {target: deepseek/second}]
                """), openTelemetry);

        for (int i = 0; i < 2; i++) {
            veil.post("/v1/chat/completions", """
                    {"model":"chat","messages":[{"role":"user","content":"hi"}]}""");
        }

        MetricData gauge = metrics.collectAllMetrics().stream()
                .filter(metric -> metric.getName().equals("veil.routing.breaker.state")).findFirst().orElseThrow();
        Map<String, Long> states = new HashMap<>();
        for (LongPointData point : gauge.getLongGaugeData().getPoints()) {
            states.put(point.getAttributes().get(AttributeKey.stringKey("target")), point.getValue());
        }
        assertThat(states).containsEntry("openai/first", 2L).containsEntry("deepseek/second", 0L);
    }
}
