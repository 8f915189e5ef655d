package dev.veil.server.telemetry;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/**
 * The model a client names reaches spans only when Veil knows it (an alias, or a model of a configured provider):
 * anything else is {@code unknown}, so a name of any size, or personal data typed into the model field, never
 * lands in a span name, a span attribute or a metric.
 */
class ClientModelTelemetryTest {
    private static final String EMAIL = "ann.lee@example.org";
    private static final int BOUND = 512;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
        veil = VeilUnderTest.startTraced(VeilUnderTest.config(upstream, ""), openTelemetry);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
        openTelemetry.close();
    }

    private HttpResponse<String> chat(String model) {
        return veil.send(veil.request("/v1/chat/completions").POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
    }

    @Test
    void aMegabyteModelNameLeavesOnlyBoundedSpansAndMetrics() {
        String model = "gpt-4o" + "x".repeat(1 << 20);

        try {
            chat(model);
        } catch (UncheckedIOException e) {
            // Only what telemetry kept matters here; ModelNameValidationTest holds the answer to account.
        }

        SpanData server = serverSpan();
        assertThat(server.getName()).hasSizeLessThan(BOUND);
        assertBounded("x".repeat(64));
    }

    @Test
    void anEmailTypedAsTheModelNeverReachesASpanOrMetric() {
        HttpResponse<String> response = chat(EMAIL);

        assertThat(response.statusCode()).isEqualTo(404);
        SpanData server = serverSpan();
        assertThat(server.getName()).isEqualTo("chat unknown");
        assertThat(server.getAttributes().get(GenAi.REQUEST_MODEL)).isEqualTo("unknown");
        assertBounded(EMAIL);
    }

    @Test
    void aModelOfAConfiguredProviderIsRecorded() {
        chat("openai/gpt-4o");

        SpanData server = serverSpan();
        assertThat(server.getName()).isEqualTo("chat openai/gpt-4o");
        assertThat(server.getAttributes().get(GenAi.REQUEST_MODEL)).isEqualTo("openai/gpt-4o");
    }

    /** Every span and metric point: names and attribute values short, and none holding {@code forbidden}. */
    private void assertBounded(String forbidden) {
        for (SpanData span : spans.getFinishedSpanItems()) {
            assertThat(span.getName()).hasSizeLessThan(BOUND).doesNotContain(forbidden);
            span.getAttributes().forEach((key, value) -> assertThat(String.valueOf(value))
                    .as("%s on %s", key, span.getName()).hasSizeLessThan(BOUND).doesNotContain(forbidden));
        }
        List<MetricData> data = List.copyOf(metrics.collectAllMetrics());
        for (MetricData metric : data) {
            metric.getData().getPoints().forEach(point -> point.getAttributes().forEach((key, value) ->
                    assertThat(String.valueOf(value)).as("%s on %s", key, metric.getName())
                            .hasSizeLessThan(BOUND).doesNotContain(forbidden)));
        }
    }

    /** The request's span; it ends just after the response is sent, so the client may be a moment ahead. */
    private SpanData serverSpan() {
        return await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(span -> span.getKind() == SpanKind.SERVER).findFirst(), Optional::isPresent).orElseThrow();
    }
}
