package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/** The audit write is a child span of the request it records. */
class AuditTracingTest {
    @TempDir
    Path dir;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
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
    void tracesTheAuditWriteUnderTheRequestSpan() throws Exception {
        Path key = AuditFixtures.newKeyFile(dir, "audit-key");
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
        veil = VeilUnderTest.startTraced(VeilUnderTest.config(upstream, "  data-dir: \"" + dir
                + "\"\n  audit: {key-file: \"" + key + "\", file: \"" + dir.resolve("audit.db") + "\"}\n"), openTelemetry);

        assertThat(veil.post("/v1/chat/completions", """
                {"model":"smart","messages":[{"role":"user","content":"hi"}]}""").statusCode()).isEqualTo(200);

        SpanData server = awaitServerSpan();
        List<SpanData> audits = spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals("veil.audit")).toList();
        assertThat(audits).singleElement().satisfies(audit -> {
            assertThat(audit.getParentSpanId()).isEqualTo(server.getSpanId());
            assertThat(audit.getTraceId()).isEqualTo(server.getTraceId());
        });
    }

    private SpanData awaitServerSpan() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            var server = spans.getFinishedSpanItems().stream().filter(span -> span.getKind() == SpanKind.SERVER)
                    .findFirst();
            if (server.isPresent() || System.nanoTime() - deadline > 0) {
                return server.orElseThrow();
            }
            Thread.onSpinWait();
        }
    }
}
