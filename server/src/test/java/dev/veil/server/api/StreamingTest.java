package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StreamingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PIECES = List.of("The ", "quick ", "brown ", "fox.");

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.withUpstream(upstream);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private static String request(String model, boolean includeUsage) {
        return "{\"model\":\"" + model + "\",\"stream\":true,"
                + (includeUsage ? "\"stream_options\":{\"include_usage\":true}," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me\"}]}";
    }

    private static String content(List<String> events) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String event : events) {
            if (!event.equals("[DONE]")) {
                for (JsonNode choice : JSON.readTree(event).path("choices")) {
                    text.append(choice.path("delta").path("content").asText(""));
                }
            }
        }
        return text.toString();
    }

    @Test
    void relaysEveryChunkInOrderAndEndsWithDone() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(PIECES, Duration.ZERO));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", request("smart", false))) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.response().headers().firstValue("content-type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("text/event-stream"));
            assertThat(stream.response().headers().firstValue("x-veil-provider")).hasValue("openai");
            List<String> events = stream.rest();

            assertThat(events).last().isEqualTo("[DONE]");
            assertThat(content(events)).isEqualTo("The quick brown fox.");
            assertThat(events).hasSize(1 + PIECES.size() + 1 + 1);
            JsonNode finish = JSON.readTree(events.get(events.size() - 2));
            assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(finish.path("object").asText()).isEqualTo("chat.completion.chunk");
        }
    }

    @Test
    void sendsAUsageChunkOnlyWhenTheClientAsks() throws Exception {
        try (SseClient without = SseClient.post(veil, "/v1/chat/completions", request("smart", false));
             SseClient with = SseClient.post(veil, "/v1/chat/completions", request("smart", true))) {
            List<String> plain = without.rest();
            List<String> withUsage = with.rest();

            assertThat(plain).noneMatch(event -> event.contains("\"usage\""));
            JsonNode usage = JSON.readTree(withUsage.get(withUsage.size() - 2));
            assertThat(usage.path("choices")).isEmpty();
            assertThat(usage.at("/usage/completion_tokens").asInt()).isPositive();
        }
    }

    @Test
    void alwaysAsksTheUpstreamForUsageSoStreamsCanBeAccounted() throws Exception {
        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", request("smart", false))) {
            stream.rest();
        }

        assertThat(upstream.lastReceived().body().at("/stream_options/include_usage").asBoolean()).isTrue();
    }

    @Test
    void reusesTheUpstreamConnectionAfterACompleteStream() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", request("smart", false))) {
                assertThat(stream.rest()).last().isEqualTo("[DONE]");
            }
        }

        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void deliversEventsWhileTheUpstreamIsStillGenerating() {
        CountDownLatch gate = new CountDownLatch(1);
        upstream.on("gpt-4o", FakeOpenAiUpstream.gated("first ", gate, List.of("second")));

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", request("smart", false))) {
                String role = stream.next();
                String first = stream.next();
                assertThat(content(List.of(role, first))).isEqualTo("first ");
                gate.countDown();
                assertThat(content(stream.rest())).isEqualTo("second");
            }
        });
    }

    @Test
    void endsAStreamResetMidwayWithAnErrorEventAndNoDone() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.resetMidStream(List.of("partial ", "answer ")));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", request("smart", false))) {
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            JsonNode error = JSON.readTree(events.get(events.size() - 1)).path("error");
            assertThat(error.path("message").asText()).contains("openai");
            assertThat(error.path("type").asText()).isEqualTo("upstream_error");
            assertThat(content(events.subList(0, events.size() - 1))).isEqualTo("partial answer ");
        }
    }

    @Test
    void treatsAStreamThatEndsWithoutDoneAsTruncated() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.truncateStream(List.of("cut ")));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", request("smart", false))) {
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            assertThat(JSON.readTree(events.get(events.size() - 1)).has("error")).isTrue();
        }
    }

    @Test
    void relaysAnUpstreamErrorEventAsAnErrorEvent() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.errorMidStream(List.of("so far "), "The server had an error"));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", request("smart", false))) {
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            assertThat(JSON.readTree(events.get(events.size() - 1)).at("/error/message").asText())
                    .contains("The server had an error");
        }
    }

    @Test
    void cancelsTheUpstreamCallWhenTheClientDisconnects() throws Exception {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            many.add("piece" + i + " ");
        }
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(many, Duration.ofMillis(25)));

        SseClient stream = SseClient.post(veil, "/v1/chat/completions", request("smart", false));
        stream.next();
        stream.next();
        stream.close();

        assertThat(upstream.awaitStreamAborted(Duration.ofSeconds(9))).isTrue();
        assertThat(upstream.streamsAbortedByClient()).isEqualTo(1);
    }

    @Test
    void failsOverToTheNextTargetBeforeTheFirstByte() throws Exception {
        try (VeilUnderTest failover = VeilUnderTest.start(VeilUnderTest.config(upstream,
                "    resilient: {targets: [\"openai/broken\", \"deepseek/deepseek-chat\"]}\n"))) {
            upstream.on("broken", FakeOpenAiUpstream.error(503, "server_error", "overloaded", null));

            try (SseClient stream = SseClient.post(failover, "/v1/chat/completions", request("resilient", false))) {
                assertThat(stream.response().statusCode()).isEqualTo(200);
                assertThat(stream.response().headers().firstValue("x-veil-provider")).hasValue("deepseek");
                assertThat(stream.response().headers().firstValue("x-veil-attempts")).hasValue("2");
                assertThat(content(stream.rest())).isEqualTo("tell me");
            }
        }
    }

    @Test
    void answersAStreamThatFailsBeforeItsFirstEventWithAnHttpError() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.error(400, "invalid_request_error", "bad temperature", null));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", request("smart", false))) {
            assertThat(stream.response().statusCode()).isEqualTo(400);
            assertThat(new String(stream.response().body().readAllBytes())).contains("bad temperature");
        }
    }

    @Test
    void streamsTheBuiltInEchoModel() throws Exception {
        try (VeilUnderTest echo = VeilUnderTest.start("""
                server: {port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers: {veil: {kind: echo}}
                """);
             SseClient stream = SseClient.post(echo, "/v1/chat/completions", request("veil/echo", true))) {
            List<String> events = stream.rest();

            assertThat(content(events)).isEqualTo("tell me");
            assertThat(events).last().isEqualTo("[DONE]");
            assertThat(events.get(events.size() - 2)).contains("\"usage\"");
        }
    }
}
