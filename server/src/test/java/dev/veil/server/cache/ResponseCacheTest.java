package dev.veil.server.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/** The response-cache plugin in the real server, between a client and a fake provider that counts its calls. */
class ResponseCacheTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CACHE = "  plugins:\n    - name: response-cache\n";
    private static final String QUESTION = "What is the capital of Norway?";

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private void start(String plugins) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, plugins));
    }

    static String chat(String text, boolean stream) {
        return """
                {"model":"smart","stream":%s,"messages":[{"role":"user","content":"%s"}]}""".formatted(stream, text);
    }

    private HttpResponse<String> post(String body, String... headers) {
        HttpRequest.Builder request = veil.request("/v1/chat/completions");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return veil.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static String cacheHeader(HttpResponse<String> response) {
        return response.headers().firstValue("x-veil-cache").orElse("(none)");
    }

    /** The answer's text: the JSON message content, or the streamed content deltas joined. */
    static String text(HttpResponse<String> response) throws Exception {
        if (response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
            StringBuilder text = new StringBuilder();
            for (String line : response.body().split("\n")) {
                if (line.startsWith("data: {")) {
                    JsonNode event = JSON.readTree(line.substring(6));
                    text.append(event.path("choices").path(0).path("delta").path("content").asText(""));
                }
            }
            return text.toString();
        }
        return JSON.readTree(response.body()).path("choices").path(0).path("message").path("content").asText();
    }

    @Test
    void reportsAMissAndCallsTheUpstreamForANewRequest() throws Exception {
        start(CACHE);

        HttpResponse<String> response = post(chat(QUESTION, false));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(response)).isEqualTo("miss");
        assertThat(text(response)).isEqualTo(QUESTION);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void reportsAMissAndCallsTheUpstreamForANewStreamingRequest() throws Exception {
        start(CACHE);

        HttpResponse<String> response = post(chat(QUESTION, true));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(response)).isEqualTo("miss");
        assertThat(text(response)).isEqualTo(QUESTION);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void answersARepeatedRequestWithoutCallingTheUpstream() throws Exception {
        start(CACHE);
        post(chat(QUESTION, false));

        HttpResponse<String> response = post(chat(QUESTION, false));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(response)).isEqualTo("hit");
        assertThat(text(response)).isEqualTo(QUESTION);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void answersARepeatedStreamingRequestFromTheStoredStream() throws Exception {
        start(CACHE);
        post(chat(QUESTION, true));

        HttpResponse<String> response = post(chat(QUESTION, true));

        assertThat(cacheHeader(response)).isEqualTo("hit");
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/event-stream"));
        assertThat(text(response)).isEqualTo(QUESTION);
        assertThat(response.body()).contains("\"finish_reason\":\"stop\"").endsWith("data: [DONE]\n\n");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void replaysAnAnswerStoredFromJsonToAStreamingRequest() throws Exception {
        start(CACHE);
        post(chat(QUESTION, false));

        HttpResponse<String> response = post(chat(QUESTION, true));

        assertThat(cacheHeader(response)).isEqualTo("hit");
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/event-stream"));
        assertThat(text(response)).isEqualTo(QUESTION);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void servesAnAnswerStoredFromAStreamToAJsonRequest() throws Exception {
        start(CACHE);
        post(chat(QUESTION, true));

        HttpResponse<String> response = post(chat(QUESTION, false));

        assertThat(cacheHeader(response)).isEqualTo("hit");
        assertThat(text(response)).isEqualTo(QUESTION);
        assertThat(JSON.readTree(response.body()).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void ignoresKeyOrderAndWhitespaceOfTheRequestBody() throws Exception {
        start(CACHE);
        post(chat(QUESTION, false));

        HttpResponse<String> response = post("""
                { "messages" : [ { "content" : "%s", "role" : "user" } ],
                  "model" : "smart" }""".formatted(QUESTION));

        assertThat(cacheHeader(response)).isEqualTo("hit");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void noStoreNeitherAnswersFromNorWritesToTheCache() throws Exception {
        start(CACHE);
        post(chat(QUESTION, false));

        HttpResponse<String> bypassed = post(chat(QUESTION, false), "x-veil-cache", "no-store");
        HttpResponse<String> unstored = post(chat("Not stored", false), "x-veil-cache", "No-Store");
        HttpResponse<String> after = post(chat("Not stored", false));

        assertThat(cacheHeader(bypassed)).isEqualTo("bypass");
        assertThat(cacheHeader(unstored)).isEqualTo("bypass");
        assertThat(cacheHeader(after)).isEqualTo("miss");
        assertThat(upstream.received()).hasSize(4);
    }

    @Test
    void noStoreBypassesTheCacheForAStreamingRequest() throws Exception {
        start(CACHE);
        post(chat(QUESTION, true));

        HttpResponse<String> response = post(chat(QUESTION, true), "x-veil-cache", "no-store");

        assertThat(cacheHeader(response)).isEqualTo("bypass");
        assertThat(text(response)).isEqualTo(QUESTION);
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void refreshCallsTheUpstreamAndStoresTheFreshAnswer() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("old"), Duration.ZERO));
        start(CACHE);
        post(chat(QUESTION, false));
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("new"), Duration.ZERO));

        HttpResponse<String> refreshed = post(chat(QUESTION, false), "x-veil-cache", "refresh");
        HttpResponse<String> next = post(chat(QUESTION, false));

        assertThat(cacheHeader(refreshed)).isEqualTo("miss");
        assertThat(text(refreshed)).isEqualTo("new");
        assertThat(cacheHeader(next)).isEqualTo("hit");
        assertThat(text(next)).isEqualTo("new");
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void refreshStoresAFreshlyStreamedAnswer() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("old"), Duration.ZERO));
        start(CACHE);
        post(chat(QUESTION, true));
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("new ", "answer"), Duration.ZERO));

        HttpResponse<String> refreshed = post(chat(QUESTION, true), "x-veil-cache", "refresh");
        HttpResponse<String> next = post(chat(QUESTION, true));

        assertThat(cacheHeader(refreshed)).isEqualTo("miss");
        assertThat(text(refreshed)).isEqualTo("new answer");
        assertThat(cacheHeader(next)).isEqualTo("hit");
        assertThat(text(next)).isEqualTo("new answer");
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void rejectsAnUnknownCacheControlNamingTheHeader() throws Exception {
        start(CACHE);

        HttpResponse<String> response = post(chat(QUESTION, false), "x-veil-cache", "nostore");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("x-veil-cache");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void rejectsAnUnknownCacheControlInAnthropicsErrorShape() throws Exception {
        start(CACHE);

        HttpResponse<String> response = veil.send(veil.request("/v1/messages").header("x-veil-cache", "always")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"smart","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}""")).build());

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.at("/error/message").asText()).contains("x-veil-cache");
    }

    @Test
    void sendsTheCacheHeaderOnTheMessagesSurface() throws Exception {
        start(CACHE);
        String body = """
                {"model":"smart","max_tokens":50,"messages":[{"role":"user","content":"%s"}]}""".formatted(QUESTION);

        HttpResponse<String> first = veil.post("/v1/messages", body);
        HttpResponse<String> second = veil.post("/v1/messages", body);

        assertThat(cacheHeader(first)).isEqualTo("miss");
        assertThat(cacheHeader(second)).isEqualTo("hit");
        assertThat(JSON.readTree(second.body()).at("/content/0/text").asText()).isEqualTo(QUESTION);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void doesNotCacheAnUpstreamError() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.error(400, "invalid_request_error", "bad", null));
        start(CACHE);
        post(chat(QUESTION, false));

        HttpResponse<String> again = post(chat(QUESTION, false));

        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(cacheHeader(again)).isEqualTo("miss");
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void doesNotCacheAStreamThatFailedMidway() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.errorMidStream(List.of("Half "), "overloaded"));
        start(CACHE);
        post(chat(QUESTION, true));
        upstream.on("gpt-4o", FakeOpenAiUpstream.echo());

        HttpResponse<String> again = post(chat(QUESTION, false));

        assertThat(cacheHeader(again)).isEqualTo("miss");
        assertThat(text(again)).isEqualTo(QUESTION);
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void doesNotCacheAStreamCutOffWithoutAFinishReason() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.truncateStream(List.of("Half ")));
        start(CACHE);
        post(chat(QUESTION, true));
        upstream.on("gpt-4o", FakeOpenAiUpstream.echo());

        HttpResponse<String> again = post(chat(QUESTION, false));

        assertThat(cacheHeader(again)).isEqualTo("miss");
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void bypassesTheCacheForAZeroRetentionRequest() throws Exception {
        veil = VeilUnderTest.start(VeilUnderTest.zeroRetentionConfig(upstream, CACHE));
        post(chat(QUESTION, false));

        HttpResponse<String> response = post(chat(QUESTION, false), "x-veil-zero-retention", "true");

        assertThat(cacheHeader(response)).isEqualTo("bypass");
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void sendsNoCacheHeaderWithoutACache() {
        start("");

        HttpResponse<String> response = post(chat(QUESTION, false));

        assertThat(response.headers().firstValue("x-veil-cache")).isEmpty();
    }
}
