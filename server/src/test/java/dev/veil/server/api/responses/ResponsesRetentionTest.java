package dev.veil.server.api.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.Awaits;
import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention of the conversations Veil keeps for the Responses API, checked in the files themselves: what zero
 * retention keeps off disk, and what the TTL removes from it.
 */
class ResponsesRetentionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "Zanzibar-lighthouse-7731";

    @TempDir
    Path dataDir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private HttpResponse<String> create(String body, String... headers) {
        HttpRequest.Builder request = veil.request("/v1/responses");
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        return veil.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void aZeroRetentionExchangeLeavesNoContentOnDiskAndTellsOpenAiToStoreNothing() throws Exception {
        String config = ResponsesEndpointTest.config(upstream, dataDir).replace(
                "api-key: \"sk-upstream-secret-1234\"}", "api-key: \"sk-upstream-secret-1234\", zero-retention: true}");
        veil = VeilUnderTest.start(config);

        HttpResponse<String> first = create("{\"model\": \"openai/gpt-4o\", \"input\": \"" + SECRET + "\"}",
                "x-veil-zero-retention", "true");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String id = JSON.readTree(first.body()).path("id").asText();
        HttpResponse<String> second = create("{\"model\": \"openai/gpt-4o\", \"input\": \"and again\", "
                + "\"previous_response_id\": \"" + id + "\"}", "x-veil-zero-retention", "true");

        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(upstream.received()).allSatisfy(received ->
                assertThat(received.body().path("store").isBoolean() && !received.body().path("store").asBoolean())
                        .as("store: false sent to OpenAI").isTrue());
        assertThat(upstream.received().getLast().body().path("messages").toString()).contains(SECRET);
        assertThat(veil.get("/v1/responses/" + id).statusCode()).isEqualTo(200);
        veil.close();
        veil = null;
        assertThat(filesHolding(SECRET)).isEmpty();
        assertThat(filesHolding(id)).isEmpty();
    }

    @Test
    void afterItsTtlAResponseIsGoneFromTheDatabaseFile() throws Exception {
        FakeClock clock = new FakeClock();
        veil = VeilUnderTest.start(ResponsesEndpointTest.config(upstream, dataDir)
                + "  responses: {ttl: 1h, sweep-interval: 50ms}\n", clock);
        HttpResponse<String> created = create("{\"model\": \"deepseek/deepseek-chat\", \"input\": \"" + SECRET
                + "\"}");
        String id = JSON.readTree(created.body()).path("id").asText();
        Awaits.await("the response written to the database file").until(() -> rows() == 1);

        clock.advance(Duration.ofHours(1).plusSeconds(1));

        assertThat(veil.get("/v1/responses/" + id).statusCode()).isEqualTo(404);
        Awaits.await("the sweep deleting the expired response").until(() -> rows() == 0);
    }

    private long rows() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("responses.db"));
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM responses")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Every file under the data dir whose bytes hold {@code text}. */
    private List<Path> filesHolding(String text) throws Exception {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(Files::isRegularFile).filter(file -> contains(file, needle)).toList();
        }
    }

    private static boolean contains(Path file, byte[] needle) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            outer:
            for (int i = 0; i + needle.length <= bytes.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (bytes[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
