package dev.veil.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Paths and methods Veil does not serve get a 404 or a 405 in the API's error shape, no key needed, and cost no more
 * than one log line a minute — never a 500 with a stack trace.
 */
class UnknownRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    private HttpResponse<String> send(String method, String path) {
        return veil.send(veil.request(path).setHeader("Authorization", "Bearer wrong-key")
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    @ParameterizedTest
    @CsvSource({"GET, /", "GET, /favicon.ico", "GET, /health", "GET, /ADMIN/keys", "POST, /v2/chat/completions",
            "GET, /v1/unknown", "GET, /admin/nothing"})
    void anUnknownPathIsA404InTheApiShape(String method, String path) throws Exception {
        HttpResponse<String> response = send(method, path);

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("not_found_error");
        assertThat(error.path("code").asText()).isEqualTo("unknown_url");
        assertThat(response.headers().firstValue("x-veil-request-id")).isPresent();
    }

    @Test
    void anUnknownPathIsNotQuotedBack() {
        HttpResponse<String> response = send("GET", "/v1/users/ann.lee@example.org/history");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).doesNotContain("ann.lee@example.org");
    }

    @ParameterizedTest
    @CsvSource({"PUT, /admin/keys, 'POST, GET'", "DELETE, /admin/keys, 'POST, GET'", "OPTIONS, /admin/keys, 'POST, GET'",
            "PATCH, /admin/keys/vk-1, 'GET, DELETE'", "GET, /v1/chat/completions, POST", "PUT, /health/live, GET"})
    void aMethodThePathDoesNotTakeIsA405NamingTheOnesItDoes(String method, String path, String allowed)
            throws Exception {
        HttpResponse<String> response = send(method, path);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue(allowed);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void aHeadRequestOnAnAdminPathIsA405WithoutABody() {
        HttpResponse<String> response = send("HEAD", "/admin/keys");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void theAnthropicSurfacesPathsAnswerInAnthropicsShape() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/messages");

        assertThat(response.statusCode()).isEqualTo(405);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void aScanOfUnknownPathsLogsOneLineAndNoStackTrace() {
        try (CapturedLogs logs = CapturedLogs.open()) {
            for (String path : List.of("/", "/favicon.ico", "/wp-login.php", "/.env", "/admin/../etc/passwd")) {
                for (int i = 0; i < 10; i++) {
                    send("GET", path);
                }
            }

            // The capture holds Helidon's own wire-level tracing too; what counts is what Veil logs.
            List<String> veilLines = logs.records().stream().filter(line -> line.startsWith("dev.veil")).toList();
            assertThat(veilLines).hasSizeLessThanOrEqualTo(1);
            assertThat(logs.text()).doesNotContain("NotFoundException").doesNotContain("\tat ");
        }
    }
}
