package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Anthropic passthrough through the real server: requests to Anthropic targets reach the (fake) upstream as the
 * client's bytes, but for the model an alias resolved, and answers reach the client as the upstream's bytes; when a
 * plugin changes the request, or a target is not Anthropic, the translated path runs instead.
 */
class AnthropicPassthroughTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Odd key order and whitespace, a beta block type and a top-level field Veil has never heard of. */
    private static final String REQUEST = """
            {  "messages" : [ {"content":[{"type":"text","text":"Hi"},
                 {"type":"hologram_beta","frames":[3,1,2],"cache_control":{"type":"ephemeral"}}],
               "role":"user"} ],
              "max_tokens":64 ,"model":   "%s",
              "future_flag":{"z":1,"a":[true,null]}, "stream" : %s }
            """;
    private static final String ANSWER = """
            {"type":"message","id":"msg_01Raw","role":"assistant","model":"claude-test-20250101",
             "content":[{"type":"text","text":"Hello","citations":null},{"type":"hologram","frames":[1]}],
             "stop_reason":"end_turn","stop_sequence":null,"container":{"id":"c1"},
             "usage":{"input_tokens":12,"output_tokens":4,"service_tier":"standard"}}""";
    private static final List<String> EVENTS = List.of(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01Raw\","
                    + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test\","
                    + "\"stop_reason\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
            "event: ping\ndata: {\"type\": \"ping\"}\n\n",
            "event: content_block_start\ndata:{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n",
            "event: hologram_delta\ndata: {\"type\":\"hologram_delta\",\"frames\":[7]}\n\n",
            "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\r\n\r\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                    + "\"usage\":{\"output_tokens\":4}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

    private FakeAnthropicUpstream anthropic;
    private FakeAnthropicUpstream backup;
    private FakeOpenAiUpstream openai;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        anthropic = new FakeAnthropicUpstream();
        backup = new FakeAnthropicUpstream();
        openai = new FakeOpenAiUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        anthropic.close();
        backup.close();
        openai.close();
    }

    private void veil(String plugins) {
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    anthropic: {kind: anthropic, base-url: "%s", api-key: "sk-ant-upstream"}
                    backup: {kind: anthropic, base-url: "%s", api-key: "sk-ant-backup"}
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                  models:
                    smart: {targets: ["anthropic/claude-test"]}
                    pair: {targets: ["anthropic/claude-busy", "backup/claude-test"]}
                    mixed: {targets: ["anthropic/claude-test", "openai/gpt-4o"]}
                %s""".formatted(VeilUnderTest.MASTER_KEY, anthropic.baseUrl(), backup.baseUrl(), openai.baseUrl(),
                plugins));
    }

    @Test
    void sendsTheClientsBytesUpstreamWithOnlyTheAliasedModelRewritten() {
        veil("");
        anthropic.on("claude-test", FakeAnthropicUpstream.verbatim(ANSWER));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("smart", false)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(anthropic.lastReceived().bodyText()).isEqualTo(REQUEST.formatted("claude-test", false));
    }

    @Test
    void givesTheClientTheUpstreamsBytesWithVeilsHeaders() {
        veil("");
        anthropic.on("claude-test", FakeAnthropicUpstream.verbatim(ANSWER));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("claude-test", false)));

        assertThat(response.body()).isEqualTo(ANSWER);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("anthropic");
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("claude-test");
        assertThat(response.headers().firstValue("x-veil-request-id")).isPresent();
    }

    @Test
    void forwardsTheClientsAnthropicVersionAndBetas() {
        veil("");
        anthropic.on("claude-test", FakeAnthropicUpstream.verbatim(ANSWER));

        veil.send(request(REQUEST.formatted("claude-test", false), "/v1/messages", "hologram-2099-01-01"));

        assertThat(anthropic.lastReceived().header("anthropic-beta")).isEqualTo("hologram-2099-01-01");
        assertThat(anthropic.lastReceived().header("anthropic-version")).isEqualTo("2023-06-01");
    }

    @Test
    void relaysTheUpstreamsEventsByteForByte() throws Exception {
        veil("");
        anthropic.on("claude-test", FakeAnthropicUpstream.verbatimEvents(EVENTS));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("claude-test", true)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        assertThat(response.body()).isEqualTo(String.join("", EVENTS));
        assertThat(anthropic.lastReceived().bodyText()).isEqualTo(REQUEST.formatted("claude-test", true));
    }

    @Test
    void translatesAndRedactsWhenPiiRedactionFindsPersonalData() throws Exception {
        veil("  plugins:\n    - name: pii-redaction\n");

        HttpResponse<String> response = veil.send(request("""
                {"model":"claude-test","max_tokens":64,"messages":[{"role":"user",
                 "content":"Write to ann.lee@example.org"}]}"""));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(anthropic.lastReceived().bodyText()).doesNotContain("ann.lee@example.org").contains("<EMAIL_1>");
        assertThat(JSON.readTree(response.body()).path("content").get(0).path("text").asText())
                .isEqualTo("Write to ann.lee@example.org");
        assertThat(response.headers().firstValue("x-veil-redactions")).hasValue("1");
    }

    @Test
    void passesThroughWhenPiiRedactionFindsNothing() {
        veil("  plugins:\n    - name: pii-redaction\n");
        anthropic.on("claude-test", FakeAnthropicUpstream.verbatim(ANSWER));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("claude-test", false)));

        assertThat(anthropic.lastReceived().bodyText()).isEqualTo(REQUEST.formatted("claude-test", false));
        assertThat(response.body()).isEqualTo(ANSWER);
    }

    @Test
    void translatesWhenATargetIsNotAnthropic() throws Exception {
        veil("");

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("mixed", false)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(anthropic.lastReceived().bodyText()).isNotEqualTo(REQUEST.formatted("claude-test", false));
        assertThat(JSON.readTree(anthropic.lastReceived().body()).has("future_flag")).isTrue();
    }

    @Test
    void failsOverFromAnOverloadedAnthropicTargetToTheNext() {
        veil("");
        anthropic.on("claude-busy", FakeAnthropicUpstream.error(529, "overloaded_error", "Overloaded"));
        backup.on("claude-test", FakeAnthropicUpstream.verbatim(ANSWER));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("pair", false)));

        assertThat(response.body()).isEqualTo(ANSWER);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("backup");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("2");
        assertThat(anthropic.lastReceived().bodyText()).isEqualTo(REQUEST.formatted("claude-busy", false));
        assertThat(backup.lastReceived().bodyText()).isEqualTo(REQUEST.formatted("claude-test", false));
    }

    @Test
    void passesARateLimitOnInAnthropicsShapeWithRetryAfter() throws Exception {
        veil("");
        anthropic.on("claude-test", FakeAnthropicUpstream.error(429, "rate_limit_error", "slow down"));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("claude-test", false)));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).hasValue("9");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void countsTokensWithAnthropicsOwnEndpoint() throws Exception {
        veil("");
        String body = """
                {"messages":[{"role":"user","content":"Hi"}],  "model":"smart"}""";

        HttpResponse<String> response = veil.send(request(body, "/v1/messages/count_tokens", null));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-token-count")).hasValue("exact");
        assertThat(JSON.readTree(response.body()).path("input_tokens").asInt())
                .isEqualTo(FakeAnthropicUpstream.COUNTED_TOKENS);
        assertThat(anthropic.lastReceived().path()).isEqualTo("/v1/messages/count_tokens");
        assertThat(anthropic.lastReceived().bodyText()).isEqualTo("""
                {"messages":[{"role":"user","content":"Hi"}],  "model":"claude-test"}""");
    }

    private HttpRequest request(String body) {
        return request(body, "/v1/messages", null);
    }

    private HttpRequest request(String body, String path, String beta) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(veil.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("x-api-key", VeilUnderTest.MASTER_KEY)
                .header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (beta != null) {
            builder.header("anthropic-beta", beta);
        }
        return builder.build();
    }
}
