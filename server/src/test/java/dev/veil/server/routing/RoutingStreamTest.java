package dev.veil.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;

/**
 * A routed stream fails over only before its first event reaches the client; one cut off after that ends with an
 * error event and no {@code [DONE]}, and is never restarted on another target. (How the relay words that error is
 * {@code StreamingTest}'s business.)
 */
class RoutingStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASK = """
            {"model":"chat","stream":true,"messages":[{"role":"user","content":"tell me a story"}]}""";

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: routing
                      retries: 0
                      routes:
                        chat:
                          targets: [{target: openai/first}, {target: deepseek/second}]
                """));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private int callsTo(String model) {
        return (int) upstream.received().stream().filter(r -> r.body().path("model").asText().equals(model)).count();
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
    void failsOverAStreamWhoseConnectionBreaksBeforeItsFirstEvent() throws Exception {
        upstream.on("first", FakeOpenAiUpstream.resetBeforeFirstEvent());

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", ASK)) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.response().headers().firstValue("x-veil-provider")).hasValue("deepseek");
            assertThat(stream.response().headers().firstValue("x-veil-model")).hasValue("second");
            assertThat(stream.response().headers().firstValue("x-veil-attempts")).hasValue("2");
            List<String> events = stream.rest();
            assertThat(content(events)).isEqualTo("tell me a story");
            assertThat(events).last().isEqualTo("[DONE]");
        }
    }

    @Test
    void failsOverAStreamWhoseTargetIsOverloaded() throws Exception {
        upstream.on("first", FakeOpenAiUpstream.overloaded());

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", ASK)) {
            assertThat(stream.response().headers().firstValue("x-veil-model")).hasValue("second");
            assertThat(content(stream.rest())).isEqualTo("tell me a story");
        }
    }

    @Test
    void endsAStreamCutAfterItsFirstEventWithAnErrorEventInsteadOfFailingOver() throws Exception {
        upstream.on("first", FakeOpenAiUpstream.resetMidStream(List.of("Once ", "upon ")));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", ASK)) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.response().headers().firstValue("x-veil-model")).hasValue("first");
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            assertThat(JSON.readTree(events.get(events.size() - 1)).path("error").isObject()).isTrue();
            assertThat(content(events.subList(0, events.size() - 1))).isEqualTo("Once upon ");
        }
        assertThat(callsTo("second")).as("the client has seen output: another target would repeat it").isZero();
    }

    @Test
    void endsAStreamThatStopsWithoutDoneWithAnErrorEventInsteadOfFailingOver() throws Exception {
        upstream.on("first", FakeOpenAiUpstream.truncateStream(List.of("Once ")));

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", ASK)) {
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            assertThat(JSON.readTree(events.get(events.size() - 1)).path("error").isObject()).isTrue();
        }
        assertThat(callsTo("second")).isZero();
    }
}
