package dev.veil.server.audit.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.veil.server.config.AuditExportConfig;

/**
 * OTLP/HTTP logs, as the OpenTelemetry protocol specifies them: a batch is one {@code ExportLogsServiceRequest}
 * (opentelemetry-proto {@code collector/logs/v1}), binary protobuf or OTLP's JSON mapping (camelCase names, 64-bit
 * integers as decimal strings, enums as numbers). Each record is one {@code LogRecord}: its time, severity INFO
 * (WARN for a denial or an error status), a one-line summary as body, an event name, and the export document's
 * fields as attributes named {@code veil.audit.<field>} (nested fields joined by dots, lists as array values); the
 * records of one node share a {@code Resource} with {@code service.name=veil} and {@code service.instance.id=<node>}.
 * A 2xx answer whose {@code partial_success} rejected records fails the delivery, so the whole batch is sent again.
 */
final class OtlpLogs implements HttpSink.Format {
    static final String ATTRIBUTE_PREFIX = "veil.audit.";
    static final String SCOPE = "veil.audit";
    static final int SEVERITY_INFO = 9;
    static final int SEVERITY_WARN = 13;
    /** The answers OTLP says a client retries; it calls the other errors permanent. */
    private static final Set<Integer> RETRYABLE = Set.of(429, 502, 503, 504);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean protobuf;

    OtlpLogs(AuditExportConfig.OtlpEncoding encoding) {
        this.protobuf = encoding == AuditExportConfig.OtlpEncoding.PROTOBUF;
    }

    @Override
    public String name() {
        return "OTLP";
    }

    @Override
    public String contentType() {
        return protobuf ? "application/x-protobuf" : "application/json";
    }

    /** The record's {@code LogRecord} message alone; {@link #body} puts records into their resource and scope. */
    @Override
    public byte[] encode(ExportRecord record) {
        JsonNode document;
        try {
            document = JSON.readTree(record.json());
        } catch (IOException e) {
            throw new IllegalStateException("an export document is JSON", e);
        }
        long nanos = Math.multiplyExact(record.createdMillis(), 1_000_000L);
        boolean warn = warning(document);
        String eventName = ATTRIBUTE_PREFIX + ("admin".equals(document.path("type").asText()) ? "admin" : "request");
        List<Map.Entry<String, JsonNode>> attributes = new ArrayList<>();
        flatten(ATTRIBUTE_PREFIX, document, attributes);
        String summary = summary(document);
        if (protobuf) {
            ProtoWire.Writer log = new ProtoWire.Writer()
                    .fixed64(1, nanos)
                    .varint(2, warn ? SEVERITY_WARN : SEVERITY_INFO)
                    .string(3, warn ? "WARN" : "INFO")
                    .message(5, new ProtoWire.Writer().string(1, summary));
            attributes.forEach(attribute -> log.message(6, protoKeyValue(attribute.getKey(), attribute.getValue())));
            return log.fixed64(11, nanos).string(12, eventName).toByteArray();
        }
        ObjectNode log = JSON.createObjectNode();
        log.put("timeUnixNano", Long.toUnsignedString(nanos));
        log.put("observedTimeUnixNano", Long.toUnsignedString(nanos));
        log.put("severityNumber", warn ? SEVERITY_WARN : SEVERITY_INFO);
        log.put("severityText", warn ? "WARN" : "INFO");
        log.putObject("body").put("stringValue", summary);
        ArrayNode list = log.putArray("attributes");
        attributes.forEach(attribute -> list.add(jsonKeyValue(attribute.getKey(), attribute.getValue())));
        log.put("eventName", eventName);
        return bytes(log);
    }

    /** A denial (the decision gave reasons) or an error status. */
    private static boolean warning(JsonNode document) {
        return document.path("status").asLong(0) >= 400 || !document.path("decision").path("reasons").isEmpty();
    }

    /** {@code request req-1 openai.chat smart: 200}, {@code admin key.create adm_1: applied (201)}. */
    private static String summary(JsonNode document) {
        List<String> parts = new ArrayList<>();
        if ("admin".equals(document.path("type").asText())) {
            parts.add("admin");
            text(document, "action").ifPresent(parts::add);
            text(document, "request_id").ifPresent(parts::add);
            String head = String.join(" ", parts);
            Optional<String> outcome = text(document, "outcome");
            String status = document.has("status") ? document.path("status").asText() : "";
            String tail = outcome.map(o -> status.isEmpty() ? o : o + " (" + status + ")").orElse(status);
            return tail.isEmpty() ? head : head + ": " + tail;
        }
        parts.add("request");
        text(document, "request_id").ifPresent(parts::add);
        text(document, "surface").ifPresent(parts::add);
        text(document, "model").ifPresent(parts::add);
        String head = String.join(" ", parts);
        String tail = document.has("status") ? document.path("status").asText() : "";
        if (!document.path("decision").path("reasons").isEmpty()) {
            tail += (tail.isEmpty() ? "" : ", ") + "denied by policy";
        }
        return tail.isEmpty() ? head : head + ": " + tail;
    }

    private static Optional<String> text(JsonNode document, String field) {
        JsonNode value = document.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** The document's fields, objects flattened into dotted names; an empty object gives none. */
    private static void flatten(String prefix, JsonNode node, List<Map.Entry<String, JsonNode>> into) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isObject()) {
                flatten(prefix + field.getKey() + ".", field.getValue(), into);
            } else if (!field.getValue().isNull()) {
                into.add(Map.entry(prefix + field.getKey(), field.getValue()));
            }
        }
    }

    @Override
    public byte[] body(List<Sink.Encoded> batch) {
        List<List<Sink.Encoded>> byNode = runsByNode(batch);
        if (protobuf) {
            ProtoWire.Writer request = new ProtoWire.Writer();
            for (List<Sink.Encoded> run : byNode) {
                ProtoWire.Writer scopeLogs = new ProtoWire.Writer().message(1, new ProtoWire.Writer().string(1, SCOPE));
                run.forEach(record -> scopeLogs.bytes(2, record.bytes()));
                ProtoWire.Writer resource = new ProtoWire.Writer()
                        .message(1, protoKeyValue("service.name", JSON.getNodeFactory().textNode("veil")));
                run.get(0).record().nodeId().ifPresent(node -> resource.message(1, protoKeyValue(
                        "service.instance.id", JSON.getNodeFactory().textNode(node))));
                request.message(1, new ProtoWire.Writer().message(1, resource).message(2, scopeLogs));
            }
            return request.toByteArray();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"resourceLogs\":[".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < byNode.size(); i++) {
            List<Sink.Encoded> run = byNode.get(i);
            ArrayNode resource = JSON.createArrayNode();
            resource.add(jsonKeyValue("service.name", JSON.getNodeFactory().textNode("veil")));
            run.get(0).record().nodeId().ifPresent(node -> resource.add(jsonKeyValue("service.instance.id",
                    JSON.getNodeFactory().textNode(node))));
            body.writeBytes(((i > 0 ? "," : "") + "{\"resource\":{\"attributes\":").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(bytes(resource));
            body.writeBytes(("},\"scopeLogs\":[{\"scope\":{\"name\":\"" + SCOPE + "\"},\"logRecords\":[")
                    .getBytes(StandardCharsets.UTF_8));
            for (int j = 0; j < run.size(); j++) {
                if (j > 0) {
                    body.write(',');
                }
                body.writeBytes(run.get(j).bytes());
            }
            body.writeBytes("]}]}".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /** Consecutive records of one node, in chain order: each run becomes one {@code ResourceLogs}. */
    private static List<List<Sink.Encoded>> runsByNode(List<Sink.Encoded> batch) {
        List<List<Sink.Encoded>> runs = new ArrayList<>();
        List<Sink.Encoded> run = new ArrayList<>();
        for (Sink.Encoded record : batch) {
            if (!run.isEmpty() && !run.get(0).record().nodeId().equals(record.record().nodeId())) {
                runs.add(run);
                run = new ArrayList<>();
            }
            run.add(record);
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    private static ProtoWire.Writer protoKeyValue(String key, JsonNode value) {
        return new ProtoWire.Writer().string(1, key).message(2, protoAnyValue(value));
    }

    private static ProtoWire.Writer protoAnyValue(JsonNode value) {
        ProtoWire.Writer any = new ProtoWire.Writer();
        if (value.isTextual()) {
            any.string(1, value.asText());
        } else if (value.isBoolean()) {
            any.varint(2, value.asBoolean() ? 1 : 0);
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            any.varint(3, value.asLong());
        } else if (value.isNumber()) {
            any.fixed64(4, Double.doubleToRawLongBits(value.asDouble()));
        } else if (value.isArray()) {
            ProtoWire.Writer array = new ProtoWire.Writer();
            value.forEach(element -> array.message(1, protoAnyValue(element)));
            any.message(5, array);
        } else if (value.isObject()) {
            ProtoWire.Writer list = new ProtoWire.Writer();
            value.fields().forEachRemaining(field -> list.message(1, protoKeyValue(field.getKey(), field.getValue())));
            any.message(6, list);
        }
        return any;
    }

    private static ObjectNode jsonKeyValue(String key, JsonNode value) {
        ObjectNode keyValue = JSON.createObjectNode();
        keyValue.put("key", key);
        keyValue.set("value", jsonAnyValue(value));
        return keyValue;
    }

    private static ObjectNode jsonAnyValue(JsonNode value) {
        ObjectNode any = JSON.createObjectNode();
        if (value.isTextual()) {
            any.put("stringValue", value.asText());
        } else if (value.isBoolean()) {
            any.put("boolValue", value.asBoolean());
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            any.put("intValue", Long.toString(value.asLong()));
        } else if (value.isNumber()) {
            any.put("doubleValue", value.asDouble());
        } else if (value.isArray()) {
            ArrayNode values = any.putObject("arrayValue").putArray("values");
            value.forEach(element -> values.add(jsonAnyValue(element)));
        } else if (value.isObject()) {
            ArrayNode values = any.putObject("kvlistValue").putArray("values");
            value.fields().forEachRemaining(field -> values.add(jsonKeyValue(field.getKey(), field.getValue())));
        }
        return any;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /**
     * Reads the {@code ExportLogsServiceResponse} of a 2xx answer, in the encoding its {@code Content-Type} names.
     * An empty or unreadable body counts as full success, as an answer without {@code partial_success} does.
     */
    @Override
    public void accepted(HttpResponse<byte[]> response, List<Sink.Encoded> batch, String where)
            throws SinkException {
        PartialSuccess partial = partialSuccess(response);
        if (partial.rejected() > 0) {
            throw new SinkException(where + " answered " + response.statusCode() + " but rejected "
                    + partial.rejected() + " of " + batch.size() + " log records" + partial.message()
                    .map(message -> " (" + HttpSink.printable(message) + ")").orElse("")
                    + "; the whole batch is sent again");
        }
    }

    private record PartialSuccess(long rejected, Optional<String> message) {
        static final PartialSuccess NONE = new PartialSuccess(0, Optional.empty());
    }

    private PartialSuccess partialSuccess(HttpResponse<byte[]> response) {
        byte[] body = response.body();
        if (body.length == 0) {
            return PartialSuccess.NONE;
        }
        try {
            if (answersProtobuf(response)) {
                ProtoWire.Reader answer = new ProtoWire.Reader(body);
                while (answer.next()) {
                    if (answer.field() == 1 && answer.wireType() == ProtoWire.LEN) {
                        ProtoWire.Reader partial = new ProtoWire.Reader(answer.bytes());
                        long rejected = 0;
                        String message = "";
                        while (partial.next()) {
                            if (partial.field() == 1 && partial.wireType() == ProtoWire.VARINT) {
                                rejected = partial.varint();
                            } else if (partial.field() == 2 && partial.wireType() == ProtoWire.LEN) {
                                message = partial.string();
                            } else {
                                partial.skip();
                            }
                        }
                        return new PartialSuccess(rejected, Optional.of(message).filter(m -> !m.isEmpty()));
                    }
                    answer.skip();
                }
                return PartialSuccess.NONE;
            }
            JsonNode partial = JSON.readTree(body).path("partialSuccess");
            JsonNode rejected = partial.path("rejectedLogRecords");
            long count = rejected.isTextual() ? Long.parseLong(rejected.asText()) : rejected.asLong(0);
            return new PartialSuccess(count, Optional.of(partial.path("errorMessage").asText(""))
                    .filter(m -> !m.isEmpty()));
        } catch (IOException | RuntimeException e) {
            return PartialSuccess.NONE;
        }
    }

    /**
     * An error answer's {@code google.rpc.Status} message (OTLP's error body), or the start of another body; for an
     * error OTLP calls permanent, a note that it is sent again all the same.
     */
    @Override
    public String describe(HttpResponse<byte[]> response) {
        String text = statusMessage(response).map(message -> ": " + HttpSink.printable(message))
                .orElseGet(() -> answersProtobuf(response) ? "" : HttpSink.describeText(response.body()));
        int status = response.statusCode();
        if (!RETRYABLE.contains(status) && status != 413) {
            text += " (an answer OTLP calls permanent; the records stay in the audit log and are sent again until "
                    + "the receiver takes them)";
        }
        return text;
    }

    private Optional<String> statusMessage(HttpResponse<byte[]> response) {
        try {
            if (answersProtobuf(response)) {
                ProtoWire.Reader status = new ProtoWire.Reader(response.body());
                while (status.next()) {
                    if (status.field() == 2 && status.wireType() == ProtoWire.LEN) {
                        return Optional.of(status.string()).filter(m -> !m.isEmpty());
                    }
                    status.skip();
                }
                return Optional.empty();
            }
            JsonNode node = JSON.readTree(response.body());
            return node != null && node.path("message").isTextual() ? Optional.of(node.path("message").asText())
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the answer is protobuf: as its {@code Content-Type} says, else as the request was. */
    private boolean answersProtobuf(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Content-Type").map(type -> type.startsWith("application/x-protobuf"))
                .orElse(protobuf);
    }
}
