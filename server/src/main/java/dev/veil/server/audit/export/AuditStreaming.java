package dev.veil.server.audit.export;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.AuditExportConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;

/**
 * Streams the audit log to the sinks of {@code veil.audit.export}: one {@link SinkWorker} per sink, each woken by
 * the log's commits and reading from its own cursor. Metrics, each with a {@code sink} attribute:
 * {@code veil.audit.export.lag} (records committed and not yet acknowledged), {@code veil.audit.export.lag.age}
 * (seconds the oldest of them has waited), {@code veil.audit.export.lagging} (1 while either is beyond the sink's
 * alert threshold), and the counters {@code veil.audit.export.delivered}, {@code veil.audit.export.failures} and
 * {@code veil.audit.export.skipped} (records skipped by the lag bound).
 */
public final class AuditStreaming implements AutoCloseable {
    private static final AttributeKey<String> SINK = AttributeKey.stringKey("sink");

    private final List<SinkWorker> workers;
    private final List<AutoCloseable> gauges = new ArrayList<>();

    private AuditStreaming(List<SinkWorker> workers) {
        this.workers = workers;
    }

    /**
     * Opens a reader per sink on the log of {@code config} and starts streaming to the sinks it configures; nothing
     * when it configures none.
     *
     * @param log the running log, whose commits wake the senders
     * @param regions provider names to their configured regions, for the records' {@code region} field
     * @throws dev.veil.server.config.ConfigException when a sink's TLS files cannot be used
     */
    public static AuditStreaming start(AuditConfig config, AuditLog log, Map<String, String> regions, Meter meter,
                                       InstantSource clock) {
        List<AuditExportConfig.Sink> sinks = config.export().sinks();
        SinkWorker.Counters counters = new SinkWorker.Counters(
                meter.counterBuilder("veil.audit.export.delivered").setUnit("{record}")
                        .setDescription("Audit records a sink acknowledged (a record sent again counts again)")
                        .build(),
                meter.counterBuilder("veil.audit.export.failures").setUnit("{attempt}")
                        .setDescription("Deliveries to an audit export sink that failed and are retried").build(),
                meter.counterBuilder("veil.audit.export.skipped").setUnit("{record}")
                        .setDescription("Audit records not sent because the sink lagged beyond its lag bound")
                        .build());
        List<SinkWorker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < sinks.size(); i++) {
                AuditExportConfig.Sink sink = sinks.get(i);
                Sink target = sink(sink, "veil.audit.export[" + i + "]");
                AuditDatabase database;
                try {
                    database = AuditDatabase.open(config, false, clock);
                } catch (RuntimeException e) {
                    target.close();
                    throw e;
                }
                workers.add(new SinkWorker(sink, target, database, Map.copyOf(regions), clock, counters,
                        Attributes.of(SINK, sink.name())));
            }
        } catch (RuntimeException e) {
            workers.forEach(SinkWorker::close);
            throw e;
        }
        AuditStreaming streaming = new AuditStreaming(List.copyOf(workers));
        if (!workers.isEmpty()) {
            streaming.gauges(meter);
            log.onCommit(seq -> workers.forEach(worker -> worker.committed(seq)));
            workers.forEach(SinkWorker::start);
        }
        return streaming;
    }

    private static Sink sink(AuditExportConfig.Sink sink, String key) {
        AuditExportConfig.Delivery delivery = sink.delivery();
        return switch (sink.target()) {
            case AuditExportConfig.Syslog syslog -> new SyslogSink(syslog, tls(syslog.tls(), key),
                    delivery.timeout());
            case AuditExportConfig.Hec hec -> HttpSink.hec(hec, tls(hec.tls(), key), delivery.timeout());
            case AuditExportConfig.Webhook webhook -> HttpSink.webhook(webhook, tls(webhook.tls(), key),
                    delivery.timeout());
            case AuditExportConfig.Otlp otlp -> HttpSink.otlp(otlp, tls(otlp.tls(), key), delivery.timeout());
        };
    }

    private static SSLContext tls(AuditExportConfig.Tls tls, String key) {
        return TlsContexts.of(tls, key);
    }

    private void gauges(Meter meter) {
        ObservableLongGauge lag = meter.gaugeBuilder("veil.audit.export.lag").ofLongs().setUnit("{record}")
                .setDescription("Audit records committed and not yet acknowledged by the sink")
                .buildWithCallback(gauge -> workers.forEach(worker -> gauge.record(worker.lag(),
                        Attributes.of(SINK, worker.name()))));
        ObservableDoubleGauge age = meter.gaugeBuilder("veil.audit.export.lag.age").setUnit("s")
                .setDescription("How long the oldest audit record the sink has not acknowledged has waited")
                .buildWithCallback(gauge -> workers.forEach(worker -> gauge.record(worker.lagSeconds(),
                        Attributes.of(SINK, worker.name()))));
        ObservableLongGauge lagging = meter.gaugeBuilder("veil.audit.export.lagging").ofLongs()
                .setDescription("1 while the sink lags beyond its alert-lag-records or alert-lag-age, else 0")
                .buildWithCallback(gauge -> workers.forEach(worker -> gauge.record(worker.lagging() ? 1 : 0,
                        Attributes.of(SINK, worker.name()))));
        gauges.add(lag);
        gauges.add(age);
        gauges.add(lagging);
    }

    /** Per sink, the sequence number of the last record it acknowledged. */
    public Map<String, Long> delivered() {
        Map<String, Long> delivered = new java.util.LinkedHashMap<>();
        workers.forEach(worker -> delivered.put(worker.name(), worker.deliveredSeq()));
        return delivered;
    }

    /** Gives each sink up to its {@code shutdown-timeout} to take what is committed, then stops them. */
    @Override
    public void close() {
        workers.parallelStream().forEach(SinkWorker::close);
        for (AutoCloseable gauge : gauges) {
            try {
                gauge.close();
            } catch (Exception ignored) {
                // A gauge that fails to unregister is dropped with the meter provider.
            }
        }
    }
}
