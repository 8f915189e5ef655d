package dev.veil.server.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.ConfigException;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.plugin.Outcome;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plugin chain's contract, through the real server and a fake upstream. */
class PluginChainTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    private static final String STREAM_HELLO = "{\"model\":\"smart\",\"stream\":true,\"stream_options\":"
            + "{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        TestPlugins.OUTCOMES.clear();
        TestPlugins.SEEN_TAGS.clear();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private VeilUnderTest withPlugins(String plugins) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "") + "  plugins:\n" + plugins);
        return veil;
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
    void runsRequestPhasesInConfigOrderAndResponsePhasesInReverse() throws Exception {
        withPlugins("""
                    - {name: tagger, tag: A}
                    - {name: tagger, tag: B}
                """);

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(upstream.lastReceived().body().at("/messages/0/content").asText()).isEqualTo("hello[A][B]");
        assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText())
                .isEqualTo("hello[A][B]<B><A>");
    }

    @Test
    void runsStreamTransformersInReverseConfigOrder() throws Exception {
        withPlugins("""
                    - {name: tagger, tag: A}
                    - {name: tagger, tag: B}
                """);

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", STREAM_HELLO)) {
            List<String> events = stream.rest();

            assertThat(content(events)).isEqualTo("hello <B><A>there[A][B]<B><A>");
            assertThat(events).last().isEqualTo("[DONE]");
        }
    }

    @Test
    void letsAStreamPluginHoldEventsBackAndEmitMoreAtTheEnd() throws Exception {
        withPlugins("""
                    - {name: holdback}
                """);

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", STREAM_HELLO)) {
            List<String> events = stream.rest();

            assertThat(content(events)).startsWith("hello there").contains("[released ");
            assertThat(events).last().isEqualTo("[DONE]");
            assertThat(events.get(events.size() - 2)).contains("\"usage\"");
        }
    }

    @Test
    void sharesExchangeAttributesWithLaterPlugins() throws Exception {
        withPlugins("""
                    - {name: tagger, tag: A}
                    - {name: tagger, tag: B}
                    - {name: completion-recorder}
                """);

        veil.post("/v1/chat/completions", HELLO);

        assertThat(TestPlugins.SEEN_TAGS.poll(5, TimeUnit.SECONDS)).isEqualTo("AB");
    }

    @Test
    void passesAPluginsRejectionToTheClientAsItIs() throws Exception {
        withPlugins("""
                    - {name: rejector, word: forbidden}
                """);

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO.replace("hello", "a forbidden word"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("blocked_by_plugin");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void answersFromAnInterceptorWithoutCallingUpstream() throws Exception {
        withPlugins("""
                    - {name: interceptor, model: smart}
                    - {name: tagger, tag: A}
                """);

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText())
                .isEqualTo("from the interceptor<A>");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void replaysAnInterceptedAnswerAsAStream() throws Exception {
        withPlugins("""
                    - {name: interceptor, model: smart}
                """);

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", STREAM_HELLO)) {
            List<String> events = stream.rest();

            assertThat(content(events)).isEqualTo("from the interceptor");
            assertThat(events.get(events.size() - 2)).contains("\"completion_tokens\":4");
            assertThat(events).last().isEqualTo("[DONE]");
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void failsTheRequestWhenAPluginThrowsNamingThePluginButNotTheContent() throws Exception {
        withPlugins("""
                    - {name: exploding, phase: request}
                """);

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(500);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("plugin_failed");
        assertThat(error.path("message").asText()).contains("'exploding'").doesNotContain("hello");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void skipsAFailingPluginThatIsFailOpen() throws Exception {
        withPlugins("""
                    - {name: exploding, phase: request, fail-open: true}
                    - {name: tagger, tag: A}
                """);

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().at("/messages/0/content").asText()).isEqualTo("hello[A]");
    }

    @Test
    void abandonsAPluginThatDoesNotAnswerWithinItsTimeout() throws Exception {
        withPlugins("""
                    - {name: slow, timeout: 50ms}
                """);

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("plugin_timeout");
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("'slow'")
                .contains("within its timeout");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void abandonsAPluginThatIgnoresInterruptsToo() throws Exception {
        withPlugins("""
                    - {name: stuck, timeout: 50ms, fail-open: true}
                """);
        try {
            HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(TestPlugins.STUCK.getCount()).isEqualTo(1);
        } finally {
            TestPlugins.STUCK.countDown();
        }
    }

    @Test
    void skipsAFailOpenPluginThatDoesNotAnswerWithinItsTimeout() throws Exception {
        withPlugins("""
                    - {name: slow, timeout: 50ms, fail-open: true}
                    - {name: tagger, tag: A}
                """);

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().at("/messages/0/content").asText()).isEqualTo("hello[A]");
    }

    @Test
    void endsAStreamWithAnErrorEventWhenAStreamPluginFails() throws Exception {
        withPlugins("""
                    - {name: exploding, phase: stream}
                """);

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", STREAM_HELLO)) {
            List<String> events = stream.rest();

            assertThat(events).doesNotContain("[DONE]");
            assertThat(JSON.readTree(events.get(events.size() - 1)).at("/error/code").asText())
                    .isEqualTo("plugin_failed");
        }
    }

    @Test
    void keepsTheAnswerWhenACompletionPluginFails() {
        withPlugins("""
                    - {name: exploding, phase: completion}
                """);

        assertThat(veil.post("/v1/chat/completions", HELLO).statusCode()).isEqualTo(200);
    }

    @Test
    void reportsTheOutcomeWithUsageAndTheAnsweringTarget() throws Exception {
        withPlugins("""
                    - {name: completion-recorder}
                """);

        veil.post("/v1/chat/completions", HELLO);
        veil.post("/v1/chat/completions", HELLO.replace("smart", "nope"));

        Outcome answered = TestPlugins.OUTCOMES.poll(5, TimeUnit.SECONDS);
        assertThat(answered.status()).isEqualTo(200);
        assertThat(answered.succeeded()).isTrue();
        assertThat(answered.usage()).hasValueSatisfying(usage -> assertThat(usage.totalTokens()).isPositive());
        assertThat(answered.provider()).hasValue("openai");
        assertThat(answered.model()).hasValue("gpt-4o");
        Outcome failed = TestPlugins.OUTCOMES.poll(5, TimeUnit.SECONDS);
        assertThat(failed.status()).isEqualTo(404);
        assertThat(failed.error()).hasValue(ErrorKind.NOT_FOUND);
    }

    @Test
    void reportsTheUsageOfAStream() throws Exception {
        withPlugins("""
                    - {name: completion-recorder}
                """);

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", STREAM_HELLO.replace(
                ",\"stream_options\":{\"include_usage\":true}", ""))) {
            stream.rest();
        }

        Outcome outcome = TestPlugins.OUTCOMES.poll(5, TimeUnit.SECONDS);
        assertThat(outcome.usage()).hasValueSatisfying(usage -> assertThat(usage.completionTokens()).isPositive());
        assertThat(outcome.succeeded()).isTrue();
    }

    @Test
    void tracesEachPluginPhaseWithItsOutcomeAndNoContent() throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        OpenTelemetrySdk telemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        veil = VeilUnderTest.startTraced(VeilUnderTest.config(upstream, "") + """
                  plugins:
                    - {name: tagger, tag: A}
                    - {name: rejector, word: forbidden}
                """, telemetry);

        veil.post("/v1/chat/completions", HELLO);
        veil.post("/v1/chat/completions", HELLO.replace("hello", "forbidden"));

        List<SpanData> finished = spans.getFinishedSpanItems();
        assertThat(finished).extracting(SpanData::getName).contains("veil.plugin tagger request",
                "veil.plugin tagger response", "veil.plugin rejector request");
        assertThat(finished).filteredOn(span -> span.getName().equals("veil.plugin rejector request"))
                .extracting(span -> span.getAttributes().get(AttributeKey.stringKey("veil.plugin.outcome")))
                .containsExactly("ok", "rejected");
        assertThat(finished).allSatisfy(span -> assertThat(span.getAttributes().toString())
                .doesNotContain("hello").doesNotContain("forbidden"));
        telemetry.close();
    }

    @Test
    void refusesToStartWithAnUnknownPluginListingTheAvailableOnes() {
        assertThatThrownBy(() -> withPlugins("""
                    - {name: taggr}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.plugins[0].name")
                .hasMessageContaining("tagger");
    }

    @Test
    void refusesToStartWhenAPluginRejectsItsSettings() {
        assertThatThrownBy(() -> withPlugins("""
                    - {name: tagger, tag: A, colour: red}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.plugins[0].colour")
                .hasMessageContaining("unknown setting");
    }

    @Test
    void listsPluginsAndTheirConfigEntriesOnTheAdminEndpoint() throws Exception {
        withPlugins("""
                    - {name: tagger, tag: A}
                    - {name: tagger, tag: B}
                """);

        HttpResponse<String> response = veil.get("/admin/plugins");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode tagger = null;
        for (JsonNode plugin : JSON.readTree(response.body()).path("data")) {
            if (plugin.path("name").asText().equals("tagger")) {
                tagger = plugin;
            }
        }
        assertThat(tagger).isNotNull();
        assertThat(tagger.path("source").asText()).isEqualTo("built-in");
        assertThat(tagger.path("spi_version").asInt()).isEqualTo(dev.veil.spi.plugin.PluginFactory.SPI_VERSION);
        assertThat(tagger.path("spi_minor_version").asInt()).isZero();
        assertThat(tagger.path("configured_as")).extracting(JsonNode::asText)
                .containsExactly("veil.plugins[0]", "veil.plugins[1]");
    }
}
