package dev.veil.server.mcp;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.testing.VeilUnderTest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Each tool call is a span and a count by server, tool and outcome: names only, never arguments or results. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpTelemetryTest {
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    private McpParts.CrmServer crm;
    private VeilUnderTest veil;

    @BeforeAll
    void start() throws Exception {
        crm = new McpParts.CrmServer();
        Path dir = Files.createTempDirectory("veil-mcp-telemetry");
        veil = VeilUnderTest.startTraced("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  data-dir: "%s"
                  opa: {enabled: false}
                  providers: {veil: {kind: echo}}
                  mcp:
                    servers:
                      - {name: crm, url: "%s"}
                """.formatted(VeilUnderTest.MASTER_KEY, dir, crm.url()), openTelemetry);
    }

    @AfterAll
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        if (crm != null) {
            crm.close();
        }
        openTelemetry.close();
    }

    @Test
    void aToolCallIsOneSpanAndOneCountNamingServerToolAndOutcome() throws Exception {
        ObjectNode plan = McpParts.JSON.createObjectNode().put("url", veil.baseUrl() + "/mcp");
        plan.putObject("headers").put("Authorization", "Bearer " + VeilUnderTest.MASTER_KEY);
        plan.putArray("steps").add(McpParts.JSON.readTree("{\"op\": \"call\", \"name\": \"crm__lookup_customer\", "
                + "\"arguments\": {\"id\": \"42\"}}"));

        JsonNode run = McpParts.client(plan);

        assertThat(run.path("steps").get(0).has("result")).as(run.toString()).isTrue();
        await("the tool call's span").until(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(span -> span.getName().equals("mcp tools/call crm__lookup_customer")));
        SpanData span = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("mcp tools/call crm__lookup_customer")).findFirst().orElseThrow();
        assertThat(span.getAttributes().get(AttributeKey.stringKey("veil.mcp.server"))).isEqualTo("crm");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("veil.mcp.outcome"))).isEqualTo("ok");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("veil.mcp.definition_hash"))).startsWith("sha256:");
        assertThat(span.getAttributes().asMap().values()).noneMatch(value -> value.toString().contains("42"));
        MetricData calls = metrics.collectAllMetrics().stream()
                .filter(metric -> metric.getName().equals("veil.mcp.tool.calls")).findFirst().orElseThrow();
        assertThat(calls.getLongSumData().getPoints()).anySatisfy((LongPointData point) -> {
            assertThat(point.getAttributes().get(AttributeKey.stringKey("veil.mcp.tool")))
                    .isEqualTo("lookup_customer");
            assertThat(point.getValue()).isEqualTo(1);
        });
    }
}
