package dev.veil.server.audit.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.config.AuditExportConfig;
import dev.veil.server.config.Secret;

/**
 * The HTTP sinks: Splunk's HTTP Event Collector and a generic JSON webhook. A batch is one POST; it is delivered when
 * the answer is 2xx (for HEC: 200 with {@code "code":0}). Error answers are reported with their status and HEC's
 * {@code text} and {@code code}, never the token or the request.
 */
final class HttpSink implements Sink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_TEXT = 200;

    private final boolean hec;
    private final URI url;
    private final Map<String, Secret> headers;
    private final HttpClient client;
    private final Duration timeout;
    private final byte[] eventPrefix;

    private HttpSink(boolean hec, URI url, Map<String, Secret> headers, SSLContext tls, Duration timeout,
                     byte[] eventPrefix) {
        this.hec = hec;
        this.url = url;
        this.headers = headers;
        this.timeout = timeout;
        this.eventPrefix = eventPrefix;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(timeout).build();
    }

    static HttpSink hec(AuditExportConfig.Hec config, SSLContext tls, Duration timeout) {
        StringBuilder fields = new StringBuilder();
        try {
            fields.append("\"source\":").append(JSON.writeValueAsString(config.source()))
                    .append(",\"sourcetype\":").append(JSON.writeValueAsString(config.sourcetype()));
            if (config.index().isPresent()) {
                fields.append(",\"index\":").append(JSON.writeValueAsString(config.index().get()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("strings always serialise", e);
        }
        return new HttpSink(true, config.url(), Map.of("Authorization", new Secret("Splunk "
                + config.token().reveal())), tls, timeout, fields.toString().getBytes(StandardCharsets.UTF_8));
    }

    static HttpSink webhook(AuditExportConfig.Webhook config, SSLContext tls, Duration timeout) {
        return new HttpSink(false, config.url(), config.headers(), tls, timeout, new byte[0]);
    }

    /**
     * For HEC, the event envelope of Splunk's documented format: {@code {"time":<epoch seconds>,"host":<node>,
     * "source":..,"sourcetype":..,"index":..,"event":<document>}}; for the webhook, the document itself.
     */
    @Override
    public byte[] encode(ExportRecord record) {
        if (!hec) {
            return record.json();
        }
        ByteArrayOutputStream event = new ByteArrayOutputStream(record.json().length + 160);
        String time = record.createdMillis() / 1000 + "." + String.format(Locale.ROOT, "%03d",
                record.createdMillis() % 1000);
        event.writeBytes(("{\"time\":" + time + ",").getBytes(StandardCharsets.US_ASCII));
        record.nodeId().ifPresent(node -> event.writeBytes(("\"host\":" + quoted(node) + ",")
                .getBytes(StandardCharsets.UTF_8)));
        event.writeBytes(eventPrefix);
        event.writeBytes(",\"event\":".getBytes(StandardCharsets.US_ASCII));
        event.writeBytes(record.json());
        event.write('}');
        return event.toByteArray();
    }

    private static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException("strings always serialise", e);
        }
    }

    /** HEC takes events concatenated; the webhook a JSON array. */
    static byte[] body(boolean hec, List<byte[]> batch) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (!hec) {
            body.write('[');
        }
        for (int i = 0; i < batch.size(); i++) {
            if (!hec && i > 0) {
                body.write(',');
            }
            body.writeBytes(batch.get(i));
        }
        if (!hec) {
            body.write(']');
        }
        return body.toByteArray();
    }

    @Override
    public void deliver(List<byte[]> batch) throws SinkException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(hec, batch)));
        headers.forEach((name, value) -> request.header(name, value.reveal()));
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new SinkException(where() + ": " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException(where() + ": interrupted");
        }
        int status = response.statusCode();
        if (status / 100 == 2 && (!hec || hecCode(response.body()) == 0)) {
            return;
        }
        throw new SinkException(where() + " answered " + status + describe(response.body()), status == 413);
    }

    private String where() {
        return (hec ? "HEC " : "webhook ") + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? ""
                : ":" + url.getPort()) + url.getPath();
    }

    /** HEC's {@code code} in a 2xx answer; an answer without one counts as success (0). */
    private static int hecCode(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.path("code").isInt() ? node.path("code").asInt() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** HEC's {@code text} and {@code code}, or the start of another body, printable characters only. */
    private static String describe(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.has("text")) {
                return ": " + printable(node.path("text").asText()) + (node.has("code") ? " (code "
                        + node.path("code").asInt() + ")" : "");
            }
        } catch (IOException e) {
            // Not JSON: shown as text below.
        }
        String text = printable(new String(body, StandardCharsets.UTF_8));
        return text.isEmpty() ? "" : ": " + text;
    }

    private static String printable(String text) {
        String cut = text.length() > MAX_ERROR_TEXT ? text.substring(0, MAX_ERROR_TEXT) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public void close() {
        client.close();
    }
}
