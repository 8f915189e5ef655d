package dev.veil.server.api.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/responses} through the real server, translated for an OpenAI-compatible provider (which Veil does not
 * relay Responses requests to), with conversation state kept by Veil.
 */
class ResponsesEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "deepseek/deepseek-chat";

    @TempDir
    Path dataDir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.start(config(upstream, dataDir));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    /** The usual test config with a data dir and an audit key, so that conversations are kept on disk. */
    static String config(FakeOpenAiUpstream upstream, Path dataDir) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = dataDir.resolve("audit-key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
        return VeilUnderTest.config(upstream, "  data-dir: \"" + dataDir + "\"\n  audit: {key-file: \"" + keyFile
                + "\"}\n");
    }

    private HttpResponse<String> create(String body) {
        return veil.post("/v1/responses", body);
    }

    private JsonNode created(String body) throws Exception {
        HttpResponse<String> response = create(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void answersWithAResponseObjectHoldingTheOutputTextAndUsage() throws Exception {
        JsonNode response = created("{\"model\": \"" + MODEL + "\", \"input\": \"Hello there\"}");

        assertThat(response.path("object").asText()).isEqualTo("response");
        assertThat(response.path("id").asText()).startsWith("resp_");
        assertThat(response.path("status").asText()).isEqualTo("completed");
        JsonNode message = response.path("output").path(0);
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("content").path(0).path("type").asText()).isEqualTo("output_text");
        assertThat(message.path("content").path(0).path("text").asText()).isEqualTo("Hello there");
        assertThat(response.path("usage").path("input_tokens").asLong()).isPositive();
        assertThat(response.path("usage").path("total_tokens").asLong()).isEqualTo(
                response.path("usage").path("input_tokens").asLong()
                        + response.path("usage").path("output_tokens").asLong());
    }

    @Test
    void instructionsGoUpstreamAsASystemMessage() {
        create("{\"model\": \"" + MODEL + "\", \"instructions\": \"Be brief\", \"input\": \"Hi\"}");

        JsonNode messages = upstream.received().getLast().body().path("messages");
        assertThat(messages.path(0).path("role").asText()).isEqualTo("system");
        assertThat(messages.path(0).toString()).contains("Be brief");
        assertThat(messages.path(1).path("role").asText()).isEqualTo("user");
    }

    @Test
    void aStreamEmitsOpenAisEventSequenceEndingInResponseCompleted() throws Exception {
        HttpResponse<String> response = create("{\"model\": \"" + MODEL + "\", \"input\": \"one two three\", "
                + "\"stream\": true}");

        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> events = events(response.body());
        List<String> types = events.stream().map(event -> event.path("type").asText()).toList();
        assertThat(types.getFirst()).isEqualTo("response.created");
        assertThat(types).containsSubsequence("response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done", "response.completed");
        assertThat(types.getLast()).isEqualTo("response.completed");
        StringBuilder text = new StringBuilder();
        events.stream().filter(event -> event.path("type").asText().equals("response.output_text.delta"))
                .forEach(event -> text.append(event.path("delta").asText()));
        assertThat(text.toString()).isEqualTo("one two three");
        List<Long> sequence = events.stream().map(event -> event.path("sequence_number").asLong()).toList();
        assertThat(sequence).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aStoredResponseCanBeRetrievedListedAndDeleted() throws Exception {
        JsonNode response = created("{\"model\": \"" + MODEL + "\", \"input\": \"Keep me\"}");
        String id = response.path("id").asText();

        HttpResponse<String> retrieved = veil.get("/v1/responses/" + id);
        assertThat(retrieved.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(retrieved.body())).isEqualTo(response);

        HttpResponse<String> items = veil.get("/v1/responses/" + id + "/input_items");
        assertThat(items.statusCode()).isEqualTo(200);
        JsonNode list = JSON.readTree(items.body());
        assertThat(list.path("object").asText()).isEqualTo("list");
        assertThat(list.path("data").path(0).path("content").path(0).path("text").asText()).isEqualTo("Keep me");
        assertThat(list.path("data").path(0).path("id").asText()).isNotEmpty();

        HttpResponse<String> deleted = veil.send(veil.request("/v1/responses/" + id).DELETE().build());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(deleted.body()).path("deleted").asBoolean()).isTrue();
        assertThat(veil.get("/v1/responses/" + id).statusCode()).isEqualTo(404);
        assertThat(veil.send(veil.request("/v1/responses/" + id).DELETE().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void aResponseWithStoreFalseIsNotKept() throws Exception {
        JsonNode response = created("{\"model\": \"" + MODEL + "\", \"input\": \"Forget me\", \"store\": false}");

        assertThat(veil.get("/v1/responses/" + response.path("id").asText()).statusCode()).isEqualTo(404);
    }

    @Test
    void previousResponseIdReplaysTheConversationToTheProvider() throws Exception {
        JsonNode first = created("{\"model\": \"" + MODEL + "\", \"input\": \"My colour is teal\"}");

        JsonNode second = created("{\"model\": \"" + MODEL + "\", \"input\": \"What is my colour?\", "
                + "\"previous_response_id\": \"" + first.path("id").asText() + "\"}");

        assertThat(second.path("previous_response_id").asText()).isEqualTo(first.path("id").asText());
        JsonNode messages = upstream.received().getLast().body().path("messages");
        List<String> roles = new ArrayList<>();
        messages.forEach(message -> roles.add(message.path("role").asText()));
        assertThat(roles).containsExactly("user", "assistant", "user");
        assertThat(messages.toString()).contains("My colour is teal", "What is my colour?");
    }

    @Test
    void anUnknownPreviousResponseIdIsNotFound() throws Exception {
        HttpResponse<String> response = create("{\"model\": \"" + MODEL + "\", \"input\": \"Hi\", "
                + "\"previous_response_id\": \"resp_doesnotexist\"}");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("error").path("param").asText())
                .isEqualTo("previous_response_id");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void anotherTenantsResponseIsNotFoundAndCannotBeContinuedOrDeleted() throws Exception {
        String alice = key("tenant-a");
        String bob = key("tenant-b");
        HttpResponse<String> made = veil.send(veil.request("/v1/responses").setHeader("Authorization",
                "Bearer " + alice).POST(ofString("{\"model\": \"" + MODEL + "\", \"input\": \"Secret plan\"}")).build());
        String id = JSON.readTree(made.body()).path("id").asText();

        assertThat(veil.send(veil.request("/v1/responses/" + id).setHeader("Authorization", "Bearer " + bob).GET()
                .build()).statusCode()).isEqualTo(404);
        assertThat(veil.send(veil.request("/v1/responses/" + id + "/input_items").setHeader("Authorization",
                "Bearer " + bob).GET().build()).statusCode()).isEqualTo(404);
        assertThat(veil.send(veil.request("/v1/responses").setHeader("Authorization", "Bearer " + bob)
                .POST(ofString("{\"model\": \"" + MODEL + "\", \"input\": \"And?\", \"previous_response_id\": \""
                        + id + "\"}")).build()).statusCode()).isEqualTo(404);
        assertThat(veil.send(veil.request("/v1/responses/" + id).setHeader("Authorization", "Bearer " + bob)
                .DELETE().build()).statusCode()).isEqualTo(404);
        assertThat(veil.send(veil.request("/v1/responses/" + id).setHeader("Authorization", "Bearer " + alice)
                .GET().build()).statusCode()).isEqualTo(200);
    }

    @Test
    void aBuiltInToolOnATranslatedRouteIsRefusedAndNothingGoesOut() throws Exception {
        HttpResponse<String> response = create("{\"model\": \"" + MODEL + "\", \"input\": \"Search the web\", "
                + "\"tools\": [{\"type\": \"web_search\"}]}");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("param").asText()).isEqualTo("tools");
        assertThat(error.path("message").asText()).contains("web_search");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aMissingResponseIdInThePathIsNotFoundInOpenAisErrorShape() throws Exception {
        HttpResponse<String> response = veil.get("/v1/responses/resp_nothing_here");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("error").path("type").asText()).isNotEmpty();
    }

    private String key(String tenant) throws Exception {
        HttpResponse<String> created = veil.post("/admin/keys", "{\"tenant\": \"" + tenant + "\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        return JSON.readTree(created.body()).path("key").asText();
    }

    private static java.net.http.HttpRequest.BodyPublisher ofString(String body) {
        return java.net.http.HttpRequest.BodyPublishers.ofString(body);
    }

    /** The JSON of every {@code data:} line of a server-sent event stream. */
    static List<JsonNode> events(String body) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                events.add(JSON.readTree(line.substring(6)));
            }
        }
        return events;
    }
}
