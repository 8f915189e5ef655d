package dev.veil.server.telemetry;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

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
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/** The spans and metrics of requests through the real server, read from the SDK's in-memory exporter. */
class RequestTracingTest {
    private static final String MARKER = "zebra-marker-7731";
    private static final String EMAIL = "ann.lee@example.org";

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
        veil = VeilUnderTest.startTraced(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: pii-redaction
                """), openTelemetry);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
        openTelemetry.close();
    }

    private HttpResponse<String> chat(String text, String... headers) {
        HttpRequest.Builder request = veil.request("/v1/chat/completions");
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return veil.send(request.POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}")).build());
    }

    /** The request's span; it ends just after the response is sent, so the client may be a moment ahead. */
    private SpanData serverSpan() {
        return await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(span -> span.getKind() == SpanKind.SERVER).findFirst(), Optional::isPresent).orElseThrow();
    }

    @Test
    void namesTheRequestSpanAfterTheOperationAndModel() {
        chat("hello");

        SpanData span = serverSpan();
        assertThat(span.getName()).isEqualTo("chat smart");
        assertThat(span.getAttributes().get(GenAi.OPERATION)).isEqualTo("chat");
        assertThat(span.getAttributes().get(GenAi.REQUEST_MODEL)).isEqualTo("smart");
        assertThat(span.getAttributes().get(GenAi.RESPONSE_MODEL)).isEqualTo("gpt-4o");
        assertThat(span.getAttributes().get(GenAi.PROVIDER)).isEqualTo("openai");
        assertThat(span.getAttributes().get(GenAi.FINISH_REASONS)).containsExactly("stop");
        assertThat(span.getAttributes().get(GenAi.INPUT_TOKENS)).isPositive();
        assertThat(span.getAttributes().get(GenAi.OUTPUT_TOKENS)).isPositive();
        assertThat(span.getAttributes().get(GenAi.TENANT)).isEqualTo("default");
        assertThat(span.getAttributes().get(GenAi.HTTP_STATUS)).isEqualTo(200L);
    }

    @Test
    void countsRedactionsOnTheRequestSpan() {
        chat("mail " + EMAIL);

        assertThat(serverSpan().getAttributes().get(GenAi.REDACTIONS)).isEqualTo(1L);
    }

    @Test
    void nestsAuthPluginAndUpstreamAttemptSpansUnderTheRequest() {
        chat("hello");

        SpanData server = serverSpan();
        List<SpanData> children = spans.getFinishedSpanItems().stream()
                .filter(span -> span.getParentSpanId().equals(server.getSpanId())).toList();
        assertThat(children).extracting(SpanData::getName)
                .contains("veil.auth", "veil.plugin pii-redaction request", "chat gpt-4o");
        SpanData attempt = children.stream().filter(span -> span.getName().equals("chat gpt-4o")).findFirst()
                .orElseThrow();
        assertThat(attempt.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(attempt.getAttributes().get(GenAi.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
    }

    @Test
    void continuesTheClientsTrace() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        chat("hello", "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");

        SpanData server = serverSpan();
        assertThat(server.getTraceId()).isEqualTo(traceId);
        assertThat(server.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    }

    @Test
    void propagatesTheTraceToTheProvider() {
        chat("hello");
        serverSpan();

        SpanData attempt = spans.getFinishedSpanItems().stream().filter(span -> span.getKind() == SpanKind.CLIENT)
                .findFirst().orElseThrow();
        assertThat(upstream.lastReceived().header("traceparent"))
                .startsWith("00-" + attempt.getTraceId() + "-" + attempt.getSpanId() + "-");
    }

    @Test
    void putsNoContentPersonalDataOrKeyIntoAnySpan() {
        chat(MARKER + " for " + EMAIL);
        serverSpan();
        chat("x", "authorization", "Bearer wrong-key-" + MARKER);
        awaitSpans(SpanKind.SERVER, 2);

        for (SpanData span : spans.getFinishedSpanItems()) {
            span.getAttributes().forEach((key, value) -> assertThat(String.valueOf(value))
                    .as("%s on %s", key, span.getName())
                    .doesNotContain(MARKER).doesNotContain(EMAIL).doesNotContain(VeilUnderTest.MASTER_KEY)
                    .doesNotContain("sk-upstream-secret"));
            assertThat(span.getEvents()).isEmpty();
        }
    }

    @Test
    void endsTheSpanOfAnUnauthenticatedRequestWithItsStatus() {
        chat("x", "authorization", "Bearer nope");

        SpanData server = serverSpan();
        assertThat(server.getAttributes().get(GenAi.HTTP_STATUS)).isEqualTo(401L);
        assertThat(server.getAttributes().get(GenAi.ERROR_TYPE)).isEqualTo("authentication_error");
    }

    @Test
    void countsRequestsAndTokensAsMetrics() {
        chat("hello");
        chat("again");
        awaitSpans(SpanKind.SERVER, 2);

        List<MetricData> data = List.copyOf(metrics.collectAllMetrics());
        MetricData requests = find(data, "veil.requests").orElseThrow();
        assertThat(requests.getLongSumData().getPoints()).singleElement().satisfies(point -> {
            assertThat(point.getValue()).isEqualTo(2);
            assertThat(point.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
        });
        assertThat(find(data, "veil.request.duration")).isPresent();
        assertThat(find(data, "gen_ai.client.token.usage").orElseThrow().getHistogramData().getPoints())
                .extracting(point -> point.getAttributes().get(GenAi.TOKEN_TYPE))
                .containsExactlyInAnyOrder("input", "output");
    }

    private void awaitSpans(SpanKind kind, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(span -> span.getKind() == kind).count() >= count);
    }

    private static Optional<MetricData> find(List<MetricData> data, String name) {
        return data.stream().filter(metric -> metric.getName().equals(name)).findFirst();
    }
}
