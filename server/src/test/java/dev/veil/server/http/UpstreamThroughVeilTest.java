package dev.veil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.AnthropicEvents;
import dev.veil.server.testing.FakeHttpServer;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A provider's HTTP at its edges, seen through Veil's own API: events larger than the bound, streams cut off,
 * connections that die after the provider read the request, and headers meant for one hop only.
 */
class UpstreamThroughVeilTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHUNK = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"%s\"},"
            + "\"finish_reason\":%s}]}";
    private static final String COMPLETION = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
            + "\"total_tokens\":2}}";
    private static final String CHAT = "{\"model\":\"openai/gpt-4o\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Hello\"}]%s}";
    private static final int MIB = 1024 * 1024;

    private FakeHttpServer upstream;
    private VeilUnderTest veil;

    @AfterEach
    void stop() throws IOException {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private void start(FakeHttpServer.Handler handler, String limits, String providerExtra) throws IOException {
        upstream = new FakeHttpServer(handler);
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  limits: {%s}
                  providers:
                    openai: {kind: openai, base-url: "%s/v1", api-key: "sk-upstream"%s}
                    anthropic: {kind: anthropic, base-url: "%s", api-key: "sk-ant-upstream"}
                """.formatted(VeilUnderTest.MASTER_KEY, limits, upstream.origin(), providerExtra,
                upstream.origin()));
    }

    @Test
    void endsAStreamWithAnErrorEventWhenAProviderEventIsLargerThanTheDefaultBound() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        start(exchange -> {
            if (requests.incrementAndGet() > 1) {
                exchange.respond(200, "application/json", COMPLETION.getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            exchange.startChunked("text/event-stream");
            exchange.event(null, CHUNK.formatted("Hel", "null"));
            // Whitespace is valid JSON, so without a bound this event would be read whole and pass.
            String huge = CHUNK.formatted("lo", "null");
            exchange.chunk(("data: " + huge.substring(0, huge.length() - 1)).getBytes(StandardCharsets.UTF_8));
            byte[] spaces = new byte[MIB];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 17; i++) {
                exchange.chunk(spaces);
            }
            exchange.chunk("}\n\n".getBytes(StandardCharsets.UTF_8));
            exchange.event(null, CHUNK.formatted("", "\"stop\""));
            exchange.event(null, "[DONE]");
            exchange.endChunked();
        }, "", "");

        List<String> events;
        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", CHAT.formatted(",\"stream\":true"))) {
            events = stream.rest();
        }

        assertThat(events).doesNotContain("[DONE]");
        JsonNode error = JSON.readTree(events.get(events.size() - 1)).path("error");
        assertThat(error.path("message").asText()).contains("max-upstream-event-bytes");
        assertThat(veil.post("/v1/chat/completions", CHAT.formatted("")).statusCode()).isEqualTo(200);
        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    void endsARelayedAnthropicStreamWithAnErrorEventWhenAnEventIsLargerThanTheConfiguredBound() throws Exception {
        start(exchange -> {
            exchange.startChunked("text/event-stream");
            exchange.event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                    + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test\","
                    + "\"stop_reason\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}");
            exchange.event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
            exchange.event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}");
            byte[] line = new byte[MIB];
            Arrays.fill(line, (byte) 'x');
            exchange.chunk(line);
            exchange.endChunked();
        }, "max-upstream-event-bytes: 64kb", "");

        HttpResponse<InputStream> response = veil.client().send(HttpRequest.newBuilder(
                        URI.create(veil.baseUrl() + "/v1/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("x-api-key", VeilUnderTest.MASTER_KEY)
                .header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"anthropic/claude-test\",\"max_tokens\":16,"
                        + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());

        List<AnthropicEvents.Event> events = AnthropicEvents.read(response.body());
        assertThat(AnthropicEvents.names(events)).last().isEqualTo("error");
        assertThat(events.get(events.size() - 1).data().at("/error/message").asText())
                .contains("max-upstream-event-bytes");
    }

    @Test
    void closesTheConnectionOfAStreamThatEndedWithoutItsLastEvent() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        start(exchange -> {
            if (requests.incrementAndGet() > 1) {
                exchange.respond(200, "application/json", COMPLETION.getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            exchange.startChunked("text/event-stream");
            exchange.event(null, CHUNK.formatted("Hel", "null"));
            exchange.endChunked();
        }, "", "");
        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", CHAT.formatted(",\"stream\":true"))) {
            assertThat(stream.rest()).last().asString().contains("\"error\"");
        }

        assertThat(veil.post("/v1/chat/completions", CHAT.formatted("")).statusCode()).isEqualTo(200);

        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    void doesNotSendAgainARequestTheProviderReadBeforeItsConnectionDied() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        start(exchange -> {
            if (requests.incrementAndGet() == 2) {
                exchange.close();
                return;
            }
            exchange.respond(200, "application/json", COMPLETION.getBytes(StandardCharsets.UTF_8), Map.of());
        }, "", "");
        assertThat(veil.post("/v1/chat/completions", CHAT.formatted("")).statusCode()).isEqualTo(200);

        HttpResponse<String> failed = veil.post("/v1/chat/completions", CHAT.formatted(""));

        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    void sendsTheProviderNoHopByHopHeaders() throws Exception {
        start(exchange -> exchange.respond(200, "application/json", COMPLETION.getBytes(StandardCharsets.UTF_8),
                Map.of()), "", ", headers: {Connection: x-hop, x-hop: \"1\", Keep-Alive: \"timeout=5\", "
                + "x-kept: \"yes\"}");

        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .header("Proxy-Connection", "keep-alive")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT.formatted(""))).build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().headers()).containsEntry("x-kept", "yes")
                .doesNotContainKeys("proxy-connection", "connection", "x-hop", "keep-alive");
    }
}
