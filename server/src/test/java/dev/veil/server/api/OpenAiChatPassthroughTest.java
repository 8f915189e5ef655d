package dev.veil.server.api;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI chat passthrough through the real server: requests whose targets speak OpenAI's own dialect reach the
 * (fake) upstream as the client's bytes, but for the model an alias resolved (and, on a stream, the request for
 * usage accounting needs), and answers reach the client as the upstream's bytes, but for a usage event the client did
 * not ask for; when a plugin changes the request, a target speaks another dialect or the body holds Veil's own
 * fields, the translated path runs instead.
 */
class OpenAiChatPassthroughTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Odd key order and whitespace, and a top-level field Veil has never heard of. */
    private static final String REQUEST = """
            {  "messages" : [ {"content":"Hi",
               "role":"user"} ],
              "max_completion_tokens":64 ,"model":   "%s",
              "future_flag":{"z":1,"a":[true,null]}, "stream" : %s }
            """;
    private static final String ANSWER = """
            {"id":"chatcmpl-raw","object":"chat.completion","created":1765000000,"model":"gpt-test-2025",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello","refusal":null,
             "annotations":[]},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16},
             "service_tier":"default","hologram":{"frames":[1]}}""";
    private static final String CHUNK = "data: {\"id\":\"chatcmpl-raw\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1765000000,\"model\":\"gpt-test-2025\",\"obfuscation\":\"x%s\",\"choices\":[%s],"
            + "\"usage\":%s}\n\n";
    private static final List<String> CONTENT = List.of(
            CHUNK.formatted(1, "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                    + "\"finish_reason\":null}", "null"),
            CHUNK.formatted(2, "{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}", "null"),
            CHUNK.formatted(3, "{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}", "null"),
            CHUNK.formatted(4, "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}", "null"));
    private static final String USAGE = CHUNK.formatted(5, "",
            "{\"prompt_tokens\":12,\"completion_tokens\":4,\"total_tokens\":16}");
    private static final String DONE = "data: [DONE]\n\n";

    private FakeOpenAiUpstream openai;
    private FakeOpenAiUpstream backup;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        openai = new FakeOpenAiUpstream();
        backup = new FakeOpenAiUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        openai.close();
        backup.close();
    }

    private void veil(String plugins) {
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                    legacy: {kind: openai-compatible, preset: deepseek, base-url: "%s", api-key: "sk-legacy"}
                    local: {kind: openai-compatible, base-url: "%s"}
                  models:
                    smart: {targets: ["openai/gpt-test"]}
                    mixed: {targets: ["openai/gpt-test", "legacy/deepseek-chat"]}
                %s""".formatted(VeilUnderTest.MASTER_KEY, openai.baseUrl(), backup.baseUrl(), backup.baseUrl(),
                plugins));
    }

    @Test
    void sendsTheClientsBytesUpstreamWithOnlyTheAliasedModelRewritten() {
        veil("");
        openai.on("gpt-test", FakeOpenAiUpstream.verbatim(ANSWER));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("smart", false)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(openai.lastReceived().bodyText()).isEqualTo(REQUEST.formatted("gpt-test", false));
    }

    @Test
    void givesTheClientTheUpstreamsBytesWithVeilsHeaders() {
        veil("");
        openai.on("gpt-test", FakeOpenAiUpstream.verbatim(ANSWER));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("gpt-test", false)));

        assertThat(response.body()).isEqualTo(ANSWER);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("openai");
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("gpt-test");
    }

    @Test
    void asksTheUpstreamForUsageOnAStreamAndHidesItFromAClientThatDidNotAsk() {
        veil("");
        openai.on("gpt-test", FakeOpenAiUpstream.verbatimEvents(events(CONTENT, USAGE, DONE)));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("gpt-test", true)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(String.join("", CONTENT) + DONE);
        assertThat(openai.lastReceived().bodyText()).isEqualTo(REQUEST.formatted("gpt-test", true)
                .replaceFirst("\\{", "{\"stream_options\":{\"include_usage\":true},"));
    }

    @Test
    void relaysTheUsageEventByteForByteToAClientThatAskedForIt() {
        veil("");
        openai.on("gpt-test", FakeOpenAiUpstream.verbatimEvents(events(CONTENT, USAGE, DONE)));
        String asked = """
                {"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"Hi"}]}""";

        HttpResponse<String> response = veil.send(request(asked));

        assertThat(response.body()).isEqualTo(String.join("", CONTENT) + USAGE + DONE);
        assertThat(openai.lastReceived().bodyText()).isEqualTo(asked);
    }

    @Test
    void takesUsageOffAnEventThatAlsoCarriesChoicesWhenTheClientDidNotAsk() throws Exception {
        veil("");
        String last = CHUNK.formatted(4, "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}",
                "{\"prompt_tokens\":12,\"completion_tokens\":4,\"total_tokens\":16}");
        openai.on("gpt-test", FakeOpenAiUpstream.verbatimEvents(events(CONTENT.subList(0, 3), last, DONE)));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("gpt-test", true)));

        List<String> events = List.of(response.body().split("\n\n"));
        assertThat(events).hasSize(5);
        JsonNode rewritten = JSON.readTree(events.get(3).substring("data: ".length()));
        assertThat(rewritten.has("usage")).isFalse();
        assertThat(rewritten.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void metersTheUsageOfARelayedStream() throws Exception {
        veil("");
        openai.on("gpt-test", FakeOpenAiUpstream.verbatimEvents(events(CONTENT, USAGE, DONE)));

        veil.send(request(REQUEST.formatted("gpt-test", true)));

        await("the stream's usage metered").atMost(Duration.ofSeconds(10)).until(() ->
                JSON.readTree(veil.get("/admin/usage").body()).toString().contains("\"completion_tokens\":4"));
    }

    @Test
    void relaysTheUpstreamsOwnErrorEventMidStream() {
        veil("");
        String error = "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\","
                + "\"param\":null,\"code\":null}}\n\n";
        openai.on("gpt-test", FakeOpenAiUpstream.verbatimEvents(events(CONTENT.subList(0, 2), error)));

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("gpt-test", true)));

        assertThat(response.body()).isEqualTo(CONTENT.get(0) + CONTENT.get(1) + error);
    }

    @Test
    void translatesWhenPiiRedactionChangesTheRequest() throws Exception {
        veil("  plugins:\n    - name: pii-redaction\n");

        HttpResponse<String> response = veil.send(request("""
                {"model":"gpt-test","messages":[{"role":"user","content":"Write to ann.lee@example.org"}]}"""));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(openai.lastReceived().bodyText()).doesNotContain("ann.lee@example.org").contains("<EMAIL_1>");
        assertThat(JSON.readTree(response.body()).path("choices").get(0).path("message").path("content").asText())
                .contains("ann.lee@example.org");
    }

    @Test
    void translatesWhenATargetSpeaksAnotherDialect() throws Exception {
        veil("");

        HttpResponse<String> response = veil.send(request(REQUEST.formatted("mixed", false)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(openai.lastReceived().bodyText()).isNotEqualTo(REQUEST.formatted("gpt-test", false));
        assertThat(openai.lastReceived().body().has("future_flag")).isTrue();
    }

    @Test
    void relaysToACompatibleServerWhoseDialectLeavesTheRequestAsWritten() {
        veil("");
        String written = """
                { "model" : "local/llama-3", "messages":[{"role":"user","content":"Hi"}], "max_tokens": 9}""";

        HttpResponse<String> response = veil.send(request(written));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(backup.lastReceived().bodyText()).isEqualTo(written.replace("local/llama-3", "llama-3"));
    }

    @Test
    void translatesForACompatibleServerAFieldItsDialectDrops() {
        veil("");

        HttpResponse<String> response = veil.send(request("""
                {"model":"local/llama-3","messages":[{"role":"user","content":"Hi"}],"service_tier":"flex"}"""));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(backup.lastReceived().body().has("service_tier")).isFalse();
    }

    @Test
    void neverSendsVeilsOwnFieldsUpstream() {
        veil("");

        HttpResponse<String> response = veil.send(request("""
                {"model":"gpt-test","x-veil-note":"ours","messages":[{"role":"user","content":"Hi"}]}"""));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(openai.lastReceived().body().has("x-veil-note")).isFalse();
    }

    @Test
    void translatesAStreamWhoseOptionsDoNotAskForUsage() {
        veil("");

        veil.send(request("""
                {"model":"gpt-test","stream":true,"stream_options":{"include_usage":false},
                 "messages":[{"role":"user","content":"Hi"}]}"""));

        assertThat(openai.lastReceived().body().path("stream_options").path("include_usage").asBoolean()).isTrue();
    }

    private static List<String> events(List<String> content, String... rest) {
        return java.util.stream.Stream.concat(content.stream(), java.util.Arrays.stream(rest)).toList();
    }

    private HttpRequest request(String body) {
        return HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + VeilUnderTest.MASTER_KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
    }
}
