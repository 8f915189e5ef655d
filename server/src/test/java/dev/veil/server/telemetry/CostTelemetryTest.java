package dev.veil.server.telemetry;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/** What answers cost, at prices the test configures, reaches the request span and the cost metric. */
class CostTelemetryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double INPUT_PER_MILLION = 3.0;
    private static final double OUTPUT_PER_MILLION = 12.0;

    @TempDir
    Path dataDir;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
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

    @Test
    void putsTheCostAtTheConfiguredPriceOnTheSpanAndTheCostMetric() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
        veil = VeilUnderTest.startTraced(VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  prices:
                    - {model: openai/gpt-4o, input: %s, output: %s}
                """.formatted(dataDir, INPUT_PER_MILLION, OUTPUT_PER_MILLION)), openTelemetry);

        JsonNode usage = JSON.readTree(veil.post("/v1/chat/completions", """
                {"model":"smart","messages":[{"role":"user","content":"what does this cost"}]}""").body())
                .path("usage");
        double expected = (usage.path("prompt_tokens").asLong() * INPUT_PER_MILLION
                + usage.path("completion_tokens").asLong() * OUTPUT_PER_MILLION) / 1_000_000;

        await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(span -> span.getKind() == SpanKind.SERVER));
        assertThat(spans.getFinishedSpanItems()).filteredOn(span -> span.getKind() == SpanKind.SERVER)
                .singleElement().satisfies(span -> assertThat(span.getAttributes().get(GenAi.COST))
                        .isCloseTo(expected, offset(1e-6)));
        MetricData cost = metrics.collectAllMetrics().stream().filter(metric -> metric.getName().equals("veil.cost"))
                .findFirst().orElseThrow();
        assertThat(cost.getDoubleSumData().getPoints()).singleElement()
                .satisfies(point -> assertThat(point.getValue()).isCloseTo(expected,
                        offset(1e-6)));
    }
}
