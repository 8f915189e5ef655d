package dev.veil.server.api.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/responses} to an OpenAI provider: relayed as the client's bytes when nothing in Veil changes the request
 * or the answer, translated (through chat completions) when something does.
 */
class ResponsesPassthroughTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    private void start(String extraVeilYaml) throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.start(ResponsesEndpointTest.config(upstream, dataDir) + extraVeilYaml);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    @Test
    void aRequestNothingChangesGoesToOpenAisResponsesApiAsTheClientsBytes() throws Exception {
        start("");
        String body = "{\"model\": \"smart\", \"input\": \"Hi there\", \"service_tier\": \"flex\", "
                + "\"some_future_field\": {\"x\": 1}}";

        HttpResponse<String> response = veil.post("/v1/responses", body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        FakeOpenAiUpstream.Received received = upstream.lastReceived();
        assertThat(received.path()).endsWith("/responses");
        assertThat(received.body()).isEqualTo(JSON.readTree(body.replace("\"smart\"", "\"gpt-4o\"")));
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("output").path(0).path("content").path(0).path("text").asText()).isEqualTo(
                "Hi there");
        assertThat(veil.get("/v1/responses/" + answer.path("id").asText()).statusCode()).isEqualTo(200);
    }

    @Test
    void aBuiltInToolIsRelayedToOpenAi() throws Exception {
        start("");

        HttpResponse<String> response = veil.post("/v1/responses", "{\"model\": \"openai/gpt-4o\", "
                + "\"input\": \"Search\", \"tools\": [{\"type\": \"web_search\"}]}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().path("tools").path(0).path("type").asText())
                .isEqualTo("web_search");
    }

    @Test
    void aStreamIsRelayedEventForEventAndKept() throws Exception {
        start("");
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("one ", "two"), Duration.ZERO));

        HttpResponse<String> response = veil.post("/v1/responses", "{\"model\": \"openai/gpt-4o\", "
                + "\"input\": \"count\", \"stream\": true}");

        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> events = ResponsesEndpointTest.events(response.body());
        assertThat(events.getLast().path("type").asText()).isEqualTo("response.completed");
        String id = events.getLast().path("response").path("id").asText();
        JsonNode kept = JSON.readTree(veil.get("/v1/responses/" + id).body());
        assertThat(kept).isEqualTo(events.getLast().path("response"));
    }

    @Test
    void aFailureMidStreamIsRelayedAndNeverCompleted() throws Exception {
        start("");
        upstream.on("gpt-4o", FakeOpenAiUpstream.failedMidStream(List.of("one ", "two "), "the model crashed"));

        HttpResponse<String> response = veil.post("/v1/responses", "{\"model\": \"openai/gpt-4o\", "
                + "\"input\": \"count\", \"stream\": true}");

        List<String> types = ResponsesEndpointTest.events(response.body()).stream()
                .map(event -> event.path("type").asText()).toList();
        assertThat(types).contains("response.failed").doesNotContain("response.completed");
    }

    @Test
    void aRequestWithPersonalDataIsTranslatedSoThatItCanBeRedacted() throws Exception {
        start("  plugins:\n    - name: pii-redaction\n");

        HttpResponse<String> response = veil.post("/v1/responses", "{\"model\": \"openai/gpt-4o\", "
                + "\"input\": \"Mail ana.lopez@example.com please\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(upstream.lastReceived().path()).endsWith("/chat/completions");
        assertThat(upstream.lastReceived().body().toString()).doesNotContain("ana.lopez@example.com");
        assertThat(JSON.readTree(response.body()).path("output").path(0).path("content").path(0).path("text")
                .asText()).isEqualTo("Mail ana.lopez@example.com please");
    }

    @Test
    void aRequestWithoutPersonalDataIsRelayedEvenWithRedactionOn() throws Exception {
        start("  plugins:\n    - name: pii-redaction\n");

        HttpResponse<String> response = veil.post("/v1/responses", "{\"model\": \"openai/gpt-4o\", "
                + "\"input\": \"What is the boiling point of water?\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(upstream.lastReceived().path()).endsWith("/responses");
    }
}
