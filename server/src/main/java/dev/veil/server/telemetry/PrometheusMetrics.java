package dev.veil.server.telemetry;

import java.io.IOException;
import java.io.OutputStream;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

/**
 * The metrics Veil records, as Prometheus scrapes them: an OpenTelemetry metric reader that collects when asked, and
 * the handler that writes what it collected in Prometheus text format. Collection runs on the scraping request's
 * thread, never on a client's. The names follow the OpenTelemetry-to-Prometheus rules ({@code veil.requests} becomes
 * {@code veil_requests_total}, {@code veil.request.duration} in seconds becomes
 * {@code veil_request_duration_seconds}); the attributes become labels, and they hold names, codes and counts only
 * (see {@link GenAi}).
 */
public final class PrometheusMetrics {
    private final PrometheusMetricReader reader = PrometheusMetricReader.builder().build();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private PrometheusMetrics() {
    }

    public static PrometheusMetrics create() {
        return new PrometheusMetrics();
    }

    /** The reader to register with the meter provider whose metrics are to be scraped. */
    public MetricReader reader() {
        return reader;
    }

    /** Writes every metric as it stands now. */
    public void write(OutputStream out) throws IOException {
        // Classic names (underscores), which every Prometheus version reads, whatever the scraper would accept.
        writer.write(out, reader.collect(), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    /** {@code GET <metrics path>} on the management listener. */
    public void handle(ServerRequest request, ServerResponse response) throws IOException {
        response.header(HeaderNames.CONTENT_TYPE, writer.getContentType());
        try (OutputStream out = response.outputStream()) {
            write(out);
        }
    }
}
