package dev.veil.server.cache;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

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

/** Cache lookups are counted as {@code veil.cache.lookups} by result, once per exchange. */
class ResponseCacheMetricsTest {
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
        openTelemetry.close();
    }

    /** Lookup counts by result; the count lands just after the client has its answer, so wait for {@code total}. */
    private Map<String, Long> lookups(long total) {
        return await().atMost(Duration.ofSeconds(10)).until(this::lookups,
                counts -> counts.values().stream().mapToLong(Long::longValue).sum() >= total);
    }

    private Map<String, Long> lookups() {
        Map<String, Long> counts = new TreeMap<>();
        for (MetricData metric : metrics.collectAllMetrics()) {
            if (metric.getName().equals("veil.cache.lookups")) {
                for (LongPointData point : metric.getLongSumData().getPoints()) {
                    counts.merge(point.getAttributes().get(AttributeKey.stringKey("result")), point.getValue(),
                            Long::sum);
                }
            }
        }
        return counts;
    }

    @Test
    void countsHitsMissesAndBypassesByResult() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.startTraced(VeilUnderTest.config(upstream, "  plugins:\n    - name: response-cache\n"),
                openTelemetry);
        String body = ResponseCacheTest.chat("Count me", false);

        veil.post("/v1/chat/completions", body);
        veil.post("/v1/chat/completions", body);
        veil.post("/v1/chat/completions", body);
        veil.send(veil.request("/v1/chat/completions").header("x-veil-cache", "no-store")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());

        assertThat(lookups(4)).containsExactlyInAnyOrderEntriesOf(Map.of("miss", 1L, "hit", 2L, "bypass", 1L));
    }
}
