package dev.veil.server.audit.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.config.AuditExportConfig;
import dev.veil.server.config.Secret;

/**
 * The HTTP sinks: Splunk's HTTP Event Collector, a generic JSON webhook and OTLP/HTTP logs, each a {@link Format} of
 * one shared sender. A batch is one POST; it is delivered when the answer is 2xx and the format accepts its body (for
 * HEC: {@code "code":0}; for OTLP: no rejected records). Error answers are reported with their status and what the
 * format reads from the body, never the token or the request. A {@code Retry-After} on an error answer is passed on
 * to the worker, which waits at least that long.
 */
final class HttpSink implements Sink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_TEXT = 200;

    /** How one kind of HTTP sink writes records and batches and reads its receiver's answers. */
    interface Format {
        /** Names the receiver in messages: {@code HEC}, {@code webhook}, {@code OTLP}. */
        String name();

        String contentType();

        byte[] encode(ExportRecord record);

        byte[] body(List<Encoded> batch);

        /**
         * Checks a 2xx answer's body.
         *
         * @throws SinkException when it says the batch was not (wholly) taken
         */
        void accepted(HttpResponse<byte[]> response, List<Encoded> batch, String where) throws SinkException;

        /** What an error answer's body says, as {@code ": text"}, or empty; printable and cut short. */
        String describe(HttpResponse<byte[]> response);
    }

    private final Format format;
    private final URI url;
    private final Map<String, Secret> headers;
    private final HttpClient client;
    private final Duration timeout;

    HttpSink(Format format, URI url, Map<String, Secret> headers, SSLContext tls, Duration timeout) {
        this.format = format;
        this.url = url;
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(timeout).build();
    }

    static HttpSink hec(AuditExportConfig.Hec config, SSLContext tls, Duration timeout) {
        StringBuilder fields = new StringBuilder();
        fields.append("\"source\":").append(quoted(config.source())).append(",\"sourcetype\":")
                .append(quoted(config.sourcetype()));
        if (config.index().isPresent()) {
            fields.append(",\"index\":").append(quoted(config.index().get()));
        }
        return new HttpSink(new Hec(fields.toString().getBytes(StandardCharsets.UTF_8)), config.url(),
                Map.of("Authorization", new Secret("Splunk " + config.token().reveal())), tls, timeout);
    }

    static HttpSink webhook(AuditExportConfig.Webhook config, SSLContext tls, Duration timeout) {
        return new HttpSink(new Webhook(), config.url(), config.headers(), tls, timeout);
    }

    static HttpSink otlp(AuditExportConfig.Otlp config, SSLContext tls, Duration timeout) {
        return new HttpSink(new OtlpLogs(config.encoding()), config.endpoint(), config.headers(), tls, timeout);
    }

    @Override
    public byte[] encode(ExportRecord record) {
        return format.encode(record);
    }

    @Override
    public void deliver(List<Encoded> batch) throws SinkException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", format.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(format.body(batch)));
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
        if (status / 100 == 2) {
            format.accepted(response, batch, where());
            return;
        }
        throw new SinkException(where() + " answered " + status + format.describe(response), status == 413,
                retryAfter(response.headers(), Instant.now()));
    }

    private String where() {
        return format.name() + " " + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? ""
                : ":" + url.getPort()) + url.getPath();
    }

    /** The wait a {@code Retry-After} asks for: delay-seconds, or an HTTP-date (RFC 9110) from {@code now}. */
    static Optional<Duration> retryAfter(HttpHeaders headers, Instant now) {
        Optional<String> header = headers.firstValue("Retry-After");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().trim();
        if (value.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException("strings always serialise", e);
        }
    }

    /** {@code text} cut short, printable characters only. */
    static String printable(String text) {
        String cut = text.length() > MAX_ERROR_TEXT ? text.substring(0, MAX_ERROR_TEXT) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** The start of a body as text, or empty. */
    static String describeText(byte[] body) {
        String text = printable(new String(body, StandardCharsets.UTF_8));
        return text.isEmpty() ? "" : ": " + text;
    }

    @Override
    public void close() {
        client.close();
    }

    /**
     * Splunk HEC: events in Splunk's documented envelope {@code {"time":<epoch seconds>,"host":<node>,"source":..,
     * "sourcetype":..,"index":..,"event":<document>}}, concatenated; a 2xx is accepted unless its {@code code} is not
     * 0. Errors are described by HEC's {@code text} and {@code code}.
     */
    private static final class Hec implements Format {
        private final byte[] eventPrefix;

        Hec(byte[] eventPrefix) {
            this.eventPrefix = eventPrefix;
        }

        @Override
        public String name() {
            return "HEC";
        }

        @Override
        public String contentType() {
            return "application/json";
        }

        @Override
        public byte[] encode(ExportRecord record) {
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

        @Override
        public byte[] body(List<Encoded> batch) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            batch.forEach(event -> body.writeBytes(event.bytes()));
            return body.toByteArray();
        }

        @Override
        public void accepted(HttpResponse<byte[]> response, List<Encoded> batch, String where)
                throws SinkException {
            int code = hecCode(response.body());
            if (code != 0) {
                throw new SinkException(where + " answered " + response.statusCode() + describe(response));
            }
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

        @Override
        public String describe(HttpResponse<byte[]> response) {
            try {
                JsonNode node = JSON.readTree(response.body());
                if (node != null && node.has("text")) {
                    return ": " + printable(node.path("text").asText()) + (node.has("code") ? " (code "
                            + node.path("code").asInt() + ")" : "");
                }
            } catch (IOException e) {
                // Not JSON: shown as text below.
            }
            return describeText(response.body());
        }
    }

    /** The generic webhook: a JSON array of documents; any 2xx is accepted. */
    private static final class Webhook implements Format {
        @Override
        public String name() {
            return "webhook";
        }

        @Override
        public String contentType() {
            return "application/json";
        }

        @Override
        public byte[] encode(ExportRecord record) {
            return record.json();
        }

        @Override
        public byte[] body(List<Encoded> batch) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write('[');
            for (int i = 0; i < batch.size(); i++) {
                if (i > 0) {
                    body.write(',');
                }
                body.writeBytes(batch.get(i).bytes());
            }
            body.write(']');
            return body.toByteArray();
        }

        @Override
        public void accepted(HttpResponse<byte[]> response, List<Encoded> batch, String where) {
            // Any 2xx takes the batch.
        }

        @Override
        public String describe(HttpResponse<byte[]> response) {
            return describeText(response.body());
        }
    }
}
