package dev.veil.server.audit.export;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.testing.FakeHecReceiver;

class ExportMetricsTest {
    @TempDir
    Path dir;

    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final SdkMeterProvider meters = SdkMeterProvider.builder().registerMetricReader(metrics).build();
    private FakeHecReceiver hec;

    @AfterEach
    void stop() {
        hec.close();
        meters.close();
    }

    private Optional<Long> point(String name) {
        return metrics.collectAllMetrics().stream().filter(metric -> metric.getName().equals(name)).findFirst()
                .flatMap(ExportMetricsTest::splunkPoint);
    }

    private static Optional<Long> splunkPoint(MetricData metric) {
        var points = metric.getType().name().contains("GAUGE") ? metric.getLongGaugeData().getPoints()
                : metric.getLongSumData().getPoints();
        return points.stream().filter(p -> "splunk".equals(p.getAttributes().get(AttributeKey.stringKey("sink"))))
                .map(LongPointData::getValue).findFirst();
    }

    @Test
    void lagAndLaggingRiseDuringAnOutageAndFallWhenItDrains() throws Exception {
        hec = FakeHecReceiver.start(ExportFixtures.TOKEN, dir.resolve("hec-events.jsonl"));
        String yaml = ExportFixtures.yaml(dir, """
                      - {name: splunk, kind: hec, url: "%s", token: "%s", backoff-initial: 10ms, backoff-max: 20ms,
                         alert-lag-records: 5}
                """.formatted(hec.url(), ExportFixtures.TOKEN));
        AuditConfig config = ExportFixtures.audit(yaml);
        hec.failing(true);
        try (AuditLog log = AuditLog.open(config);
             AuditStreaming streaming = AuditStreaming.start(config, log, Map.of(), meters.get("test"),
                     InstantSource.system())) {
            ExportFixtures.write(log, 1, 10);
            await("failures counted").atMost(Duration.ofSeconds(30))
                    .until(() -> point("veil.audit.export.failures").orElse(0L) >= 2);

            assertThat(point("veil.audit.export.lag")).contains(10L);
            assertThat(point("veil.audit.export.lagging")).contains(1L);

            hec.failing(false);
            await("drained").atMost(Duration.ofSeconds(30))
                    .until(() -> point("veil.audit.export.delivered").orElse(0L) == 10);
            assertThat(point("veil.audit.export.lag")).contains(0L);
            assertThat(point("veil.audit.export.lagging")).contains(0L);
        }
    }
}
