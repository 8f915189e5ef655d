package dev.veil.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;

/**
 * A local OTLP/HTTP logs receiver, as the OTLP specification describes one: {@code POST /v1/logs} with an
 * {@code ExportLogsServiceRequest} as binary protobuf ({@code application/x-protobuf}, decoded with
 * opentelemetry-proto's classes, any unknown field refused) or OTLP JSON ({@code application/json}, decoded by hand
 * and strictly: camelCase names only, 64-bit integers as decimal strings, enums as numbers, trace and span ids as
 * hex); {@code 200} with an {@code ExportLogsServiceResponse} in the request's encoding; {@code 400} with a
 * {@code google.rpc.Status} for a body it cannot decode, {@code 415} for another content type.
 *
 * <p>It can be made to misbehave: {@link #failing} answers every request with a status (503 and a {@code Retry-After},
 * say, or 400), {@link #rejectingLast} takes each request but its last log record and says so in
 * {@code partial_success}, and {@link #stop}/{@link #restart} take the port away and back.
 *
 * <p>Each log record taken is appended to {@link #received()} and, one JSON a line, to a file: {@code {"seq":..,
 * "hash":..,"node_id":..}} from its {@code veil.audit.*} attributes, then its resource, time, severity, body, event
 * name and attributes. That file is what a SIEM behind an OpenTelemetry Collector holds, in the shape
 * {@code veil audit verify --against-export} reads.
 */
public final class FakeOtlpLogsReceiver implements AutoCloseable {
    /** A log record as received, with the resource it came under. */
    public record Received(Resource resource, InstrumentationScope scope, LogRecord log) {
        /** The value of attribute {@code key}. */
        public Optional<AnyValue> attribute(String key) {
            return log.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue)
                    .findFirst();
        }

        /** The value of resource attribute {@code key}. */
        public Optional<AnyValue> resourceAttribute(String key) {
            return resource.getAttributesList().stream().filter(kv -> kv.getKey().equals(key))
                    .map(KeyValue::getValue).findFirst();
        }
    }

    /** A request as it arrived. */
    public record Request(String contentType, Map<String, List<String>> headers, byte[] body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON_TYPE = "application/json";

    private final Path file;
    private final int port;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile HttpServer server;
    private volatile int failingStatus;
    private volatile Optional<String> retryAfter = Optional.empty();
    private volatile boolean rejectingLast;

    private FakeOtlpLogsReceiver(HttpServer server, Path file) {
        this.server = server;
        this.port = server.getAddress().getPort();
        this.file = file;
    }

    /** Starts on a free loopback port, appending what it takes to {@code file}. */
    public static FakeOtlpLogsReceiver start(Path file) throws IOException {
        FakeOtlpLogsReceiver receiver = new FakeOtlpLogsReceiver(bind(0), file);
        receiver.serve();
        return receiver;
    }

    private static HttpServer bind(int port) throws IOException {
        return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    }

    private void serve() {
        server.createContext("/v1/logs", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** The base URL, for the sink's {@code endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The file taken records are appended to. */
    public Path file() {
        return file;
    }

    /** Answers every request with {@code status} (and a {@code google.rpc.Status} body) from now on; 0 to stop. */
    public void failing(int status, Optional<String> retryAfter) {
        this.retryAfter = retryAfter;
        this.failingStatus = status;
    }

    /** Whether to take each request but its last log record and say so in {@code partial_success}. */
    public void rejectingLast(boolean rejectingLast) {
        this.rejectingLast = rejectingLast;
    }

    /** Closes the port: connections are refused until {@link #restart}. */
    public void stop() {
        server.stop(0);
    }

    /** Listens on the same port again. */
    public void restart() throws IOException {
        server = bind(port);
        serve();
    }

    /** The log records taken, in the order received. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Every request that arrived, taken or not. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many log records each request that was taken carried. */
    public List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    /** How many requests were refused while {@link #failing} or {@link #rejectingLast}. */
    public int refused() {
        return refused.get();
    }

    /** The {@code veil.audit.seq} of each log record taken, in the order received. */
    public List<Long> seqs() {
        return received.stream().map(record -> record.attribute("veil.audit.seq").orElseThrow().getIntValue())
                .toList();
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        requests.add(new Request(contentType, Map.copyOf(exchange.getRequestHeaders()), body));
        boolean protobuf = contentType.startsWith(PROTOBUF);
        if (!exchange.getRequestMethod().equals("POST")) {
            status(exchange, 405, protobuf, "POST only");
            return;
        }
        if (!protobuf && !contentType.startsWith(JSON_TYPE)) {
            status(exchange, 415, false, "Content-Type must be application/x-protobuf or application/json");
            return;
        }
        int failing = failingStatus;
        if (failing != 0) {
            refused.incrementAndGet();
            retryAfter.ifPresent(value -> exchange.getResponseHeaders().set("Retry-After", value));
            status(exchange, failing, protobuf, failing == 400 ? "the receiver refuses this data" : "unavailable");
            return;
        }
        ExportLogsServiceRequest request;
        try {
            request = protobuf ? strictProtobuf(body) : StrictJson.request(JSON.readTree(body));
        } catch (IOException | IllegalArgumentException e) {
            status(exchange, 400, protobuf, "cannot decode: " + e.getMessage());
            return;
        }
        List<Received> records = new ArrayList<>();
        for (ResourceLogs resource : request.getResourceLogsList()) {
            for (ScopeLogs scope : resource.getScopeLogsList()) {
                for (LogRecord log : scope.getLogRecordsList()) {
                    records.add(new Received(resource.getResource(), scope.getScope(), log));
                }
            }
        }
        ExportLogsServiceResponse.Builder response = ExportLogsServiceResponse.newBuilder();
        if (rejectingLast && !records.isEmpty()) {
            refused.incrementAndGet();
            records.remove(records.size() - 1);
            response.setPartialSuccess(ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(1)
                    .setErrorMessage("1 log record too old"));
        }
        StringBuilder lines = new StringBuilder();
        for (Received record : records) {
            lines.append(JSON.writeValueAsString(line(record))).append('\n');
        }
        Files.writeString(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        received.addAll(records);
        batchSizes.add(records.size());
        if (protobuf) {
            answer(exchange, 200, PROTOBUF, response.build().toByteArray());
        } else {
            ObjectNode json = JSON.createObjectNode();
            if (response.hasPartialSuccess()) {
                json.putObject("partialSuccess")
                        .put("rejectedLogRecords", Long.toString(response.getPartialSuccess().getRejectedLogRecords()))
                        .put("errorMessage", response.getPartialSuccess().getErrorMessage());
            }
            answer(exchange, 200, JSON_TYPE, JSON.writeValueAsBytes(json));
        }
    }

    private static ExportLogsServiceRequest strictProtobuf(byte[] body) throws InvalidProtocolBufferException {
        ExportLogsServiceRequest request = ExportLogsServiceRequest.parseFrom(body);
        noUnknownFields(request);
        return request;
    }

    private static void noUnknownFields(Message message) {
        if (!message.getUnknownFields().asMap().isEmpty()) {
            throw new IllegalArgumentException(message.getDescriptorForType().getName() + " has unknown fields "
                    + message.getUnknownFields().asMap().keySet());
        }
        message.getAllFields().values().forEach(value -> {
            if (value instanceof Message nested) {
                noUnknownFields(nested);
            } else if (value instanceof List<?> list) {
                list.stream().filter(Message.class::isInstance).map(Message.class::cast)
                        .forEach(FakeOtlpLogsReceiver::noUnknownFields);
            }
        });
    }

    /** A record as a SIEM would keep it: the verifier's {@code {"seq":..,"hash":..}} first, then the rest. */
    private static ObjectNode line(Received record) {
        ObjectNode line = JSON.createObjectNode();
        line.put("seq", record.attribute("veil.audit.seq").map(AnyValue::getIntValue).orElse(0L));
        line.put("hash", record.attribute("veil.audit.hash").map(AnyValue::getStringValue).orElse(""));
        record.attribute("veil.audit.node_id").ifPresent(node -> line.put("node_id", node.getStringValue()));
        ObjectNode resource = line.putObject("resource");
        record.resource().getAttributesList().forEach(kv -> resource.set(kv.getKey(), json(kv.getValue())));
        line.put("time_unix_nano", Long.toUnsignedString(record.log().getTimeUnixNano()));
        line.put("severity_number", record.log().getSeverityNumberValue());
        line.put("severity_text", record.log().getSeverityText());
        line.set("body", json(record.log().getBody()));
        line.put("event_name", record.log().getEventName());
        ObjectNode attributes = line.putObject("attributes");
        record.log().getAttributesList().forEach(kv -> attributes.set(kv.getKey(), json(kv.getValue())));
        return line;
    }

    private static JsonNode json(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> JSON.getNodeFactory().textNode(value.getStringValue());
            case BOOL_VALUE -> JSON.getNodeFactory().booleanNode(value.getBoolValue());
            case INT_VALUE -> JSON.getNodeFactory().numberNode(value.getIntValue());
            case DOUBLE_VALUE -> JSON.getNodeFactory().numberNode(value.getDoubleValue());
            case BYTES_VALUE -> JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(
                    value.getBytesValue().toByteArray()));
            case ARRAY_VALUE -> {
                var array = JSON.createArrayNode();
                value.getArrayValue().getValuesList().forEach(element -> array.add(json(element)));
                yield array;
            }
            case KVLIST_VALUE -> {
                ObjectNode object = JSON.createObjectNode();
                value.getKvlistValue().getValuesList().forEach(kv -> object.set(kv.getKey(), json(kv.getValue())));
                yield object;
            }
            case VALUE_NOT_SET -> JSON.nullNode();
        };
    }

    /** An error answer: a {@code google.rpc.Status} (code 1, message 2) in the request's encoding. */
    private static void status(HttpExchange exchange, int status, boolean protobuf, String message)
            throws IOException {
        int code = status == 400 ? 3 : 14;
        if (protobuf) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeInt32(1, code);
            out.writeString(2, message);
            out.flush();
            answer(exchange, status, PROTOBUF, bytes.toByteArray());
        } else {
            answer(exchange, status, JSON_TYPE, JSON.writeValueAsBytes(JSON.createObjectNode().put("code", code)
                    .put("message", message)));
        }
    }

    private static void answer(HttpExchange exchange, int status, String contentType, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** OTLP JSON to the protobuf classes, refusing what the OTLP specification's JSON encoding does not allow. */
    private static final class StrictJson {
        private StrictJson() {
        }

        static ExportLogsServiceRequest request(JsonNode node) {
            object(node, "ExportLogsServiceRequest", Set.of("resourceLogs"));
            ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
            for (JsonNode resourceLogs : array(node, "resourceLogs")) {
                object(resourceLogs, "ResourceLogs", Set.of("resource", "scopeLogs", "schemaUrl"));
                ResourceLogs.Builder builder = ResourceLogs.newBuilder();
                if (resourceLogs.has("resource")) {
                    JsonNode resource = resourceLogs.get("resource");
                    object(resource, "Resource", Set.of("attributes", "droppedAttributesCount"));
                    builder.setResource(Resource.newBuilder().addAllAttributes(keyValues(resource, "attributes")));
                }
                for (JsonNode scopeLogs : array(resourceLogs, "scopeLogs")) {
                    object(scopeLogs, "ScopeLogs", Set.of("scope", "logRecords", "schemaUrl"));
                    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
                    if (scopeLogs.has("scope")) {
                        JsonNode value = scopeLogs.get("scope");
                        object(value, "InstrumentationScope", Set.of("name", "version", "attributes",
                                "droppedAttributesCount"));
                        scope.setScope(InstrumentationScope.newBuilder().setName(string(value, "name"))
                                .setVersion(string(value, "version")).addAllAttributes(keyValues(value,
                                        "attributes")));
                    }
                    for (JsonNode log : array(scopeLogs, "logRecords")) {
                        scope.addLogRecords(logRecord(log));
                    }
                    builder.addScopeLogs(scope);
                }
                request.addResourceLogs(builder);
            }
            return request.build();
        }

        private static LogRecord logRecord(JsonNode log) {
            object(log, "LogRecord", Set.of("timeUnixNano", "observedTimeUnixNano", "severityNumber",
                    "severityText", "body", "attributes", "droppedAttributesCount", "flags", "traceId", "spanId",
                    "eventName"));
            LogRecord.Builder builder = LogRecord.newBuilder()
                    .setTimeUnixNano(int64(log, "timeUnixNano"))
                    .setObservedTimeUnixNano(int64(log, "observedTimeUnixNano"))
                    .setSeverityText(string(log, "severityText"))
                    .setEventName(string(log, "eventName"))
                    .addAllAttributes(keyValues(log, "attributes"));
            if (log.has("severityNumber")) {
                if (!log.get("severityNumber").isInt()) {
                    throw new IllegalArgumentException("severityNumber must be the enum's number");
                }
                builder.setSeverityNumberValue(log.get("severityNumber").asInt());
            }
            if (log.has("body")) {
                builder.setBody(anyValue(log.get("body")));
            }
            for (String id : List.of("traceId", "spanId")) {
                if (log.has(id)) {
                    String hex = log.get(id).asText();
                    if (!hex.matches("([0-9a-f]{2})*")) {
                        throw new IllegalArgumentException(id + " must be lower-case hex");
                    }
                    ByteString bytes = ByteString.copyFrom(HexFormat.of().parseHex(hex));
                    if (id.equals("traceId")) {
                        builder.setTraceId(bytes);
                    } else {
                        builder.setSpanId(bytes);
                    }
                }
            }
            return builder.build();
        }

        private static List<KeyValue> keyValues(JsonNode node, String field) {
            List<KeyValue> keyValues = new ArrayList<>();
            for (JsonNode keyValue : array(node, field)) {
                object(keyValue, "KeyValue", Set.of("key", "value"));
                KeyValue.Builder builder = KeyValue.newBuilder().setKey(string(keyValue, "key"));
                if (keyValue.has("value")) {
                    builder.setValue(anyValue(keyValue.get("value")));
                }
                keyValues.add(builder.build());
            }
            return keyValues;
        }

        private static AnyValue anyValue(JsonNode value) {
            object(value, "AnyValue", Set.of("stringValue", "boolValue", "intValue", "doubleValue", "arrayValue",
                    "kvlistValue", "bytesValue"));
            if (value.size() > 1) {
                throw new IllegalArgumentException("AnyValue holds more than one value: " + value);
            }
            AnyValue.Builder any = AnyValue.newBuilder();
            if (value.has("stringValue")) {
                any.setStringValue(string(value, "stringValue"));
            } else if (value.has("boolValue")) {
                if (!value.get("boolValue").isBoolean()) {
                    throw new IllegalArgumentException("boolValue must be true or false");
                }
                any.setBoolValue(value.get("boolValue").asBoolean());
            } else if (value.has("intValue")) {
                any.setIntValue(int64(value, "intValue"));
            } else if (value.has("doubleValue")) {
                if (!value.get("doubleValue").isNumber()) {
                    throw new IllegalArgumentException("doubleValue must be a number");
                }
                any.setDoubleValue(value.get("doubleValue").asDouble());
            } else if (value.has("arrayValue")) {
                JsonNode array = value.get("arrayValue");
                object(array, "ArrayValue", Set.of("values"));
                ArrayValue.Builder values = ArrayValue.newBuilder();
                array(array, "values").forEach(element -> values.addValues(anyValue(element)));
                any.setArrayValue(values);
            } else if (value.has("kvlistValue")) {
                JsonNode list = value.get("kvlistValue");
                object(list, "KeyValueList", Set.of("values"));
                any.setKvlistValue(KeyValueList.newBuilder().addAllValues(keyValues(list, "values")));
            } else if (value.has("bytesValue")) {
                any.setBytesValue(ByteString.copyFrom(Base64.getDecoder().decode(string(value, "bytesValue"))));
            }
            return any.build();
        }

        private static void object(JsonNode node, String message, Set<String> fields) {
            if (!node.isObject()) {
                throw new IllegalArgumentException(message + " must be a JSON object");
            }
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!fields.contains(name)) {
                    throw new IllegalArgumentException(message + " has no field " + name);
                }
            }
        }

        private static List<JsonNode> array(JsonNode node, String field) {
            if (!node.has(field)) {
                return List.of();
            }
            if (!node.get(field).isArray()) {
                throw new IllegalArgumentException(field + " must be a JSON array");
            }
            List<JsonNode> elements = new ArrayList<>();
            node.get(field).forEach(elements::add);
            return elements;
        }

        private static String string(JsonNode node, String field) {
            if (!node.has(field)) {
                return "";
            }
            if (!node.get(field).isTextual()) {
                throw new IllegalArgumentException(field + " must be a string");
            }
            return node.get(field).asText();
        }

        /** A 64-bit integer, which OTLP JSON writes as a decimal string. */
        private static long int64(JsonNode node, String field) {
            if (!node.has(field)) {
                return 0;
            }
            JsonNode value = node.get(field);
            if (!value.isTextual() || !value.asText().matches("-?\\d{1,20}")) {
                throw new IllegalArgumentException(field + " must be a 64-bit integer as a decimal string, got "
                        + value);
            }
            String text = value.asText();
            return text.startsWith("-") ? Long.parseLong(text) : Long.parseUnsignedLong(text);
        }
    }
}
