package dev.veil.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.plugins.TestPlugins;
import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/**
 * A tenant configured as zero-retention, served by a provider that retains nothing, through the whole built-in
 * chain (redaction, zero retention, routing, cache): its prompts reach that provider and come back, and leave nothing
 * behind in Veil — no file under the data dir, no log record, no span attribute.
 */
class ZeroRetentionNoTraceTest {
    private static final String EMAIL = "marta.quist@example.org";

    private final String marker = "zr-marker-" + UUID.randomUUID();
    private final String prompt = "Summarise case " + marker + " for " + EMAIL + " please";

    @TempDir
    Path dataDir;
    private FakeOpenAiUpstream upstream;
    private InMemorySpanExporter spans;
    private OpenTelemetrySdk telemetry;
    private VeilUnderTest veil;
    private CapturedLogs logs;

    @BeforeEach
    void start() throws Exception {
        TestPlugins.RETENTION.clear();
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
        spans = InMemorySpanExporter.create();
        telemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        veil = VeilUnderTest.startTraced(VeilUnderTest.zeroRetentionConfig(upstream, """
                  data-dir: "%s"
                  plugins:
                    - name: pii-redaction
                    - {name: zero-retention, tenants: [default]}
                    - name: routing
                    - name: response-cache
                    - name: retention-recorder
                """.formatted(dataDir)), telemetry);
        logs = CapturedLogs.open();
    }

    @AfterEach
    void stop() throws Exception {
        logs.close();
        veil.close();
        telemetry.close();
        upstream.close();
    }

    private List<HttpResponse<String>> converse() {
        List<HttpResponse<String>> responses = Surfaces.send(veil, Surfaces.all(veil, prompt, Map.of()));
        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(200);
        return responses;
    }

    @Test
    void leavesNoTraceOfThePromptUnderTheDataDirInLogsOrInSpans() throws Exception {
        List<HttpResponse<String>> responses = converse();
        veil.close();

        assertThat(responses).allSatisfy(response -> assertThat(response.body()).contains(marker));
        List<Path> files = files(dataDir);
        assertThat(files).as("the plugins used the data dir").isNotEmpty();
        assertThat(files).allSatisfy(file -> assertThat(new String(Files.readAllBytes(file),
                StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(marker).doesNotContain(EMAIL));
        assertThat(logs.records()).as("log records were captured").isNotEmpty();
        assertThat(logs.text()).doesNotContain(marker).doesNotContain(EMAIL);
        List<SpanData> finished = spans.getFinishedSpanItems();
        assertThat(finished).as("spans were recorded").isNotEmpty();
        assertThat(finished).allSatisfy(span -> assertThat(span.getName() + span.getAttributes() + span.getEvents()
                + span.getStatus()).doesNotContain(marker).doesNotContain(EMAIL));
    }

    @Test
    void tellsTheProviderNotToStoreOnEverySurface() {
        converse();

        assertThat(upstream.received()).hasSize(4).allSatisfy(received -> {
            assertThat(received.body().path("store").isBoolean()).isTrue();
            assertThat(received.body().path("store").asBoolean()).isFalse();
        });
    }

    @Test
    void sendsThePromptRedactedToTheProviderThatRetainsNothing() {
        converse();

        assertThat(upstream.received()).allSatisfy(received -> assertThat(received.body().path("messages")
                .toString()).contains(marker).doesNotContain(EMAIL));
    }

    @Test
    void neitherAnswersFromNorStoresInTheCache() {
        converse();
        List<HttpResponse<String>> again = converse();

        assertThat(again).allSatisfy(response -> assertThat(response.headers().firstValue("x-veil-cache"))
                .hasValue("bypass"));
        assertThat(upstream.received()).hasSize(8);
    }

    @Test
    void recordsTheTenantAsTheReasonForZeroRetention() throws Exception {
        converse();

        for (int i = 0; i < 4; i++) {
            assertThat(TestPlugins.RETENTION.poll(5, TimeUnit.SECONDS)).isEqualTo("tenant");
        }
    }

    /** Every regular file under {@code dir}, at any depth. */
    static List<Path> files(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
