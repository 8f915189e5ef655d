package dev.veil.server.audit.export;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.audit.AdminEvent;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.AuditExportConfig;
import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeOtlpLogsReceiver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;

class OtlpSinkTest {
    private static final Duration DELIVERY = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private FakeOtlpLogsReceiver otlp;

    @AfterEach
    void stopReceiver() {
        if (otlp != null) {
            otlp.close();
        }
    }

    private String otlpYaml(String extra) throws IOException {
        otlp = FakeOtlpLogsReceiver.start(dir.resolve("otlp-logs.jsonl"));
        return ExportFixtures.yaml(dir, """
                      - {name: otel, kind: otlp, endpoint: "%s", backoff-initial: 10ms, backoff-max: 50ms%s}
                """.formatted(otlp.endpoint(), extra));
    }

    private static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static String text(FakeOtlpLogsReceiver.Received record, String key) {
        return record.attribute(key).map(AnyValue::getStringValue).orElse("<absent>");
    }

    private static long integer(FakeOtlpLogsReceiver.Received record, String key) {
        return record.attribute(key).map(AnyValue::getIntValue).orElse(-1L);
    }

    private void assertFirstRecordCarriesTheMetadata() {
        FakeOtlpLogsReceiver.Received first = otlp.received().get(0);
        assertThat(first.resourceAttribute("service.name").orElseThrow().getStringValue()).isEqualTo("veil");
        assertThat(first.resourceAttribute("service.instance.id").orElseThrow().getStringValue())
                .isEqualTo("node-a");
        assertThat(first.scope().getName()).isEqualTo("veil.audit");
        assertThat(Instant.ofEpochSecond(0, first.log().getTimeUnixNano()))
                .isEqualTo(Instant.parse(text(first, "veil.audit.time")));
        assertThat(first.log().getSeverityNumberValue()).isEqualTo(9);
        assertThat(first.log().getSeverityText()).isEqualTo("INFO");
        assertThat(first.log().getBody().getStringValue()).isEqualTo("request req-1 openai.chat smart: 200");
        assertThat(first.log().getEventName()).isEqualTo("veil.audit.request");
        assertThat(integer(first, "veil.audit.seq")).isEqualTo(1);
        assertThat(text(first, "veil.audit.hash")).hasSize(64);
        assertThat(text(first, "veil.audit.node_id")).isEqualTo("node-a");
        assertThat(text(first, "veil.audit.type")).isEqualTo("request");
        assertThat(text(first, "veil.audit.request_id")).isEqualTo("req-1");
        assertThat(text(first, "veil.audit.principal.tenant")).isEqualTo("acme");
        assertThat(text(first, "veil.audit.principal.team")).isEqualTo("risk");
        assertThat(text(first, "veil.audit.model")).isEqualTo("smart");
        assertThat(text(first, "veil.audit.provider")).isEqualTo("openai");
        assertThat(text(first, "veil.audit.region")).isEqualTo("eu-west-1");
        assertThat(text(first, "veil.audit.decision.id")).isEqualTo("decision-1");
        assertThat(text(first, "veil.audit.decision.policy_revision")).isEqualTo("policies-rev-7");
        assertThat(first.attribute("veil.audit.decision.reasons").orElseThrow().getArrayValue().getValuesList())
                .isEmpty();
        assertThat(integer(first, "veil.audit.pii.EMAIL")).isEqualTo(2);
        assertThat(integer(first, "veil.audit.tokens.prompt_tokens")).isEqualTo(10);
        assertThat(integer(first, "veil.audit.cost_micro_usd")).isEqualTo(42);
        assertThat(integer(first, "veil.audit.status")).isEqualTo(200);
        assertThat(first.attribute("veil.audit.zero_retention").orElseThrow().getBoolValue()).isFalse();
    }

    @Test
    void protobufLogRecordsArriveInChainOrderWithTheMetadataAsAttributes() throws Exception {
        String yaml = otlpYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 50);
            await("50 records at the OTLP receiver").atMost(DELIVERY).until(() -> otlp.seqs().size() >= 50);
        }

        assertThat(otlp.seqs()).containsExactlyElementsOf(range(1, 50));
        assertThat(otlp.requests()).extracting(FakeOtlpLogsReceiver.Request::contentType)
                .containsOnly("application/x-protobuf");
        assertFirstRecordCarriesTheMetadata();
    }

    @Test
    void jsonLogRecordsFollowOtlpJsonAndCarryTheSameMetadata() throws Exception {
        String yaml = otlpYaml(", encoding: json");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 20);
            await("20 records at the OTLP receiver").atMost(DELIVERY).until(() -> otlp.seqs().size() >= 20);
        }

        assertThat(otlp.seqs()).containsExactlyElementsOf(range(1, 20));
        assertThat(otlp.requests()).extracting(FakeOtlpLogsReceiver.Request::contentType)
                .containsOnly("application/json");
        String body = new String(otlp.requests().get(0).body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("{\"resourceLogs\":[").contains("\"timeUnixNano\":\"")
                .contains("\"severityNumber\":9,").contains("\"intValue\":\"1\"");
        assertFirstRecordCarriesTheMetadata();
    }

    @Test
    void adminRecordsAreLogRecordsWithTheirActorActionAndOutcome() throws Exception {
        String yaml = otlpYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            log.record(new AdminEvent("adm_1", new AdminEvent.Actor("api", "master", Optional.empty(),
                    Optional.empty(), Optional.of("key-admin")), "key.create", Map.of("key_id", "vk-9"),
                    Optional.empty(), Optional.of(Map.of("key_id", "vk-9", "tenant", "acme")), 201, "applied"));
            await("1 record at the OTLP receiver").atMost(DELIVERY).until(() -> otlp.seqs().size() >= 1);
        }

        FakeOtlpLogsReceiver.Received admin = otlp.received().get(0);
        assertThat(admin.log().getEventName()).isEqualTo("veil.audit.admin");
        assertThat(admin.log().getBody().getStringValue()).isEqualTo("admin key.create adm_1: applied (201)");
        assertThat(text(admin, "veil.audit.actor.role")).isEqualTo("key-admin");
        assertThat(text(admin, "veil.audit.action")).isEqualTo("key.create");
        assertThat(text(admin, "veil.audit.target.key_id")).isEqualTo("vk-9");
        assertThat(text(admin, "veil.audit.after.tenant")).isEqualTo("acme");
        assertThat(text(admin, "veil.audit.outcome")).isEqualTo("applied");
    }

    @Test
    void noContentLeavesWithTheLogRecords() throws Exception {
        String yaml = otlpYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 3);
            await("3 records at the OTLP receiver").atMost(DELIVERY).until(() -> otlp.seqs().size() >= 3);
        }

        for (FakeOtlpLogsReceiver.Request request : otlp.requests()) {
            assertThat(new String(request.body(), StandardCharsets.UTF_8)).doesNotContain("secret plan")
                    .doesNotContain("PERSON_1").doesNotContain("prompt_sha256").doesNotContain("Hi <");
        }
        assertThat(otlp.received()).allSatisfy(record -> assertThat(record.log().getAttributesList())
                .noneMatch(kv -> kv.getKey().contains("prompt.") || kv.getKey().endsWith(".response")));
    }

    @Test
    void theConfiguredHeadersGoWithEveryRequest() throws Exception {
        String yaml = otlpYaml(", headers: {Authorization: \"Bearer otel-secret\"}");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (AuditLog log = AuditLog.open(config); AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 3);
            await("3 records at the OTLP receiver").atMost(DELIVERY).until(() -> otlp.seqs().size() >= 3);
        }

        assertThat(otlp.requests()).allSatisfy(request -> assertThat(request.headers().get("Authorization"))
                .containsExactly("Bearer otel-secret"));
    }

    @Test
    void aReceiverDownAnsweringThenAnswering503DrainsAfterwardsWithoutGap() throws Exception {
        String yaml = otlpYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (CapturedLogs logs = CapturedLogs.open(); AuditLog log = AuditLog.open(config);
             AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            ExportFixtures.write(log, 1, 20);
            await("20 records at the OTLP receiver").atMost(DELIVERY).until(() -> otlp.seqs().size() >= 20);
            otlp.stop();
            ExportFixtures.write(log, 21, 40);
            // Whatever the first failure is (a refused connection, or a reset on a pooled one): later ones are logged
            // once a minute.
            await("a failed delivery").atMost(DELIVERY).until(() -> logs.text().contains(" failed ("));
            otlp.failing(503, Optional.of("1"));
            otlp.restart();
            ExportFixtures.write(log, 41, 60);
            await("OTLP refusing").atMost(DELIVERY).until(() -> otlp.refused() >= 2);
            otlp.failing(0, Optional.empty());
            await("60 records at the OTLP receiver").atMost(DELIVERY).until(() -> otlp.seqs().contains(60L));
        }

        assertThat(otlp.seqs()).containsExactlyElementsOf(range(1, 60));
        ExportFixtures.Verified verified = ExportFixtures.verifyAgainst(yaml, otlp.file(), "--to", "60");
        assertThat(verified.exit()).as(verified.out()).isZero();
    }

    @Test
    void a400IsLoggedAsPermanentAndRetriedLikeEveryFailureSoNoRecordIsSkipped() throws Exception {
        String yaml = otlpYaml(", headers: {Authorization: \"Bearer otel-secret\"}");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (CapturedLogs logs = CapturedLogs.open(); AuditLog log = AuditLog.open(config);
             AuditStreaming streaming = ExportFixtures.stream(config, log)) {
            otlp.failing(400, Optional.empty());
            ExportFixtures.write(log, 1, 10);
            await("OTLP refusing").atMost(DELIVERY).until(() -> otlp.refused() >= 3);
            await("the failure logged").atMost(DELIVERY).until(() -> logs.text().contains("answered 400"));
            assertThat(logs.text()).contains("answered 400: the receiver refuses this data")
                    .contains("OTLP calls permanent").doesNotContain("otel-secret");
            otlp.failing(0, Optional.empty());
            await("10 records at the OTLP receiver").atMost(DELIVERY).until(() -> otlp.seqs().contains(10L));
        }

        assertThat(otlp.seqs()).containsExactlyElementsOf(range(1, 10));
    }

    @Test
    void aPartialSuccessFailsTheBatchWhichIsSentAgainWhole() throws Exception {
        String yaml = otlpYaml("");
        AuditConfig config = ExportFixtures.audit(yaml);
        try (CapturedLogs logs = CapturedLogs.open(); AuditLog log = AuditLog.open(config)) {
            ExportFixtures.write(log, 1, 10);
            otlp.rejectingLast(true);
            try (AuditStreaming streaming = ExportFixtures.stream(config, log)) {
                await("OTLP rejecting").atMost(DELIVERY).until(() -> otlp.refused() >= 2);
                await("the failure logged").atMost(DELIVERY).until(() -> logs.text().contains("rejected 1 of 10"));
                assertThat(streaming.delivered().get("otel")).isZero();
                otlp.rejectingLast(false);
                await("10 records at the OTLP receiver").atMost(DELIVERY).until(() -> otlp.seqs().contains(10L));
            }
            assertThat(logs.text()).contains("rejected 1 of 10 log records (1 log record too old)");
        }

        assertThat(otlp.seqs()).startsWith(1L, 2L).containsAll(range(1, 10));
        assertThat(otlp.seqs().size()).isGreaterThan(10);
        ExportFixtures.Verified verified = ExportFixtures.verifyAgainst(yaml, otlp.file(), "--to", "10");
        assertThat(verified.exit()).as(verified.out()).isZero();
        assertThat(verified.out()).contains("sent again");
    }

    @Test
    void a503sRetryAfterReachesTheWorker() throws Exception {
        otlp = FakeOtlpLogsReceiver.start(dir.resolve("otlp-logs.jsonl"));
        otlp.failing(503, Optional.of("7"));
        AuditExportConfig.Otlp config = new AuditExportConfig.Otlp(java.net.URI.create(otlp.endpoint() + "/v1/logs"),
                Map.of(), AuditExportConfig.OtlpEncoding.PROTOBUF, AuditExportConfig.Tls.SYSTEM);
        try (HttpSink sink = HttpSink.otlp(config, SSLContext.getDefault(), Duration.ofSeconds(10))) {
            ExportRecord record = record(1, "node-a");

            assertThatThrownBy(() -> sink.deliver(List.of(new Sink.Encoded(record, sink.encode(record)))))
                    .isInstanceOfSatisfying(SinkException.class, e -> {
                        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                        assertThat(e.getMessage()).contains("answered 503: unavailable")
                                .doesNotContain("permanent");
                    });
        }
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-12-08T04:00:00Z");

        assertThat(HttpSink.retryAfter(headers("120"), now)).contains(Duration.ofSeconds(120));
        assertThat(HttpSink.retryAfter(headers("Tue, 08 Dec 2026 04:00:30 GMT"), now))
                .contains(Duration.ofSeconds(30));
        assertThat(HttpSink.retryAfter(headers("Tue, 08 Dec 2026 03:59:00 GMT"), now)).contains(Duration.ZERO);
        assertThat(HttpSink.retryAfter(headers("soon"), now)).isEmpty();
        assertThat(HttpSink.retryAfter(HttpHeaders.of(Map.of(), (name, value) -> true), now)).isEmpty();
    }

    @Test
    void theWorkerWaitsForRetryAfterWhenLongerThanItsBackOffUpToItsBound() {
        long backoff = TimeUnit.SECONDS.toNanos(2);

        assertThat(SinkWorker.waitNanos(backoff, failure(Optional.of(Duration.ofSeconds(30)))))
                .isEqualTo(TimeUnit.SECONDS.toNanos(30));
        assertThat(SinkWorker.waitNanos(backoff, failure(Optional.of(Duration.ofSeconds(1))))).isEqualTo(backoff);
        assertThat(SinkWorker.waitNanos(backoff, failure(Optional.empty()))).isEqualTo(backoff);
        assertThat(SinkWorker.waitNanos(backoff, failure(Optional.of(Duration.ofDays(1)))))
                .isEqualTo(SinkWorker.MAX_RETRY_AFTER_NANOS);
    }

    @Test
    void eachRunOfOneNodesRecordsIsOneResourceLogsInChainOrder() throws Exception {
        OtlpLogs format = new OtlpLogs(AuditExportConfig.OtlpEncoding.PROTOBUF);
        List<Sink.Encoded> batch = java.util.stream.Stream.of(record(1, "node-a"), record(2, "node-a"),
                record(3, "node-b"), record(4, "node-a"))
                .map(record -> new Sink.Encoded(record, format.encode(record))).toList();

        ExportLogsServiceRequest request = ExportLogsServiceRequest.parseFrom(format.body(batch));

        assertThat(request.getResourceLogsList()).extracting(resource -> resource.getResource().getAttributes(1)
                .getValue().getStringValue()).containsExactly("node-a", "node-b", "node-a");
        assertThat(request.getResourceLogsList()).extracting(resource -> resource.getScopeLogs(0)
                .getLogRecordsCount()).containsExactly(2, 1, 1);
    }

    @Test
    void aDenialIsAWarning() throws Exception {
        OtlpLogs format = new OtlpLogs(AuditExportConfig.OtlpEncoding.PROTOBUF);
        ExportRecord denied = new ExportRecord(1, 1_000, Optional.of("node-a"), """
                {"seq":1,"hash":"00","type":"request","request_id":"req-1","surface":"openai.chat","model":"smart",\
                "decision":{"reasons":["model not allowed"]},"status":403}""".getBytes(StandardCharsets.UTF_8));

        ExportLogsServiceRequest request = ExportLogsServiceRequest.parseFrom(format.body(List.of(
                new Sink.Encoded(denied, format.encode(denied)))));

        var log = request.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
        assertThat(log.getSeverityNumberValue()).isEqualTo(13);
        assertThat(log.getSeverityText()).isEqualTo("WARN");
        assertThat(log.getBody().getStringValue()).isEqualTo("request req-1 openai.chat smart: 403, denied by policy");
        assertThat(log.getTimeUnixNano()).isEqualTo(1_000_000_000L);
    }

    private static ExportRecord record(long seq, String node) {
        return new ExportRecord(seq, 1_000 * seq, Optional.of(node), ("{\"seq\":" + seq + ",\"hash\":\"00\","
                + "\"type\":\"request\",\"status\":200}").getBytes(StandardCharsets.UTF_8));
    }

    private static HttpHeaders headers(String retryAfter) {
        return HttpHeaders.of(Map.of("Retry-After", List.of(retryAfter)), (name, value) -> true);
    }

    private static SinkException failure(Optional<Duration> retryAfter) {
        return new SinkException("failed", false, retryAfter);
    }
}
