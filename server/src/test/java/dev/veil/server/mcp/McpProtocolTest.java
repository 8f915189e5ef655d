package dev.veil.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalIssuer;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The MCP gateway's transport against hostile and malformed input, spoken as raw HTTP: each bad message is the
 * JSON-RPC error object with its code and the HTTP status the Streamable HTTP transport gives it; sessions are
 * bounded and bound to their caller; tokens must name the gateway as their audience (RFC 8707), and a caller without
 * credentials is pointed at the protected-resource metadata (RFC 9728).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpProtocolTest {
    private static final String RESOURCE = "https://veil.example.com/mcp";

    private FakeOpenAiUpstream upstream;
    private LocalIssuer issuer;
    private VeilUnderTest veil;
    /** The sessions a test opened, ended after it: the gateway holds only a few. */
    private final List<String> opened = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        issuer = LocalIssuer.start();
        Path dir = Files.createTempDirectory("veil-mcp-protocol");
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  auth:
                    jwt:
                      - {issuer: "%s", audience: veil, jwks-url: "%s"}
                  mcp:
                    resource: "%s"
                    max-sessions: 3
                    max-message-bytes: 2KiB
                    max-json-depth: 8
                """.formatted(dir, issuer.issuer(), issuer.jwksUrl(), RESOURCE)));
    }

    @AfterAll
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        if (issuer != null) {
            issuer.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @AfterEach
    void endSessions() {
        opened.forEach(this::delete);
        opened.clear();
    }

    @Test
    void initializeAgreesOnTheClientsRevisionAndOpensASession() throws Exception {
        HttpResponse<String> response = post(Optional.empty(), initialize("2025-03-26"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("result").path("protocolVersion").asText()).isEqualTo("2025-03-26");
        assertThat(response.headers().firstValue("mcp-session-id")).hasValueSatisfying(id ->
                assertThat(id).hasSize(48));
    }

    @Test
    void initializeWithAnUnknownRevisionAnswersTheLatest() throws Exception {
        HttpResponse<String> response = post(Optional.empty(), initialize("2023-01-01"));

        assertThat(json(response).path("result").path("protocolVersion").asText())
                .isEqualTo(McpEndpoint.VERSIONS.getFirst());
    }

    @Test
    void bodyThatIsNotJsonIsAParseError() throws Exception {
        assertError(post(Optional.empty(), "{\"jsonrpc\": \"2.0\", "), 400, McpError.PARSE_ERROR);
    }

    @Test
    void jsonThatIsNotJsonRpcIsAnInvalidRequest() throws Exception {
        assertError(post(Optional.empty(), "{\"hello\": 1}"), 400, McpError.INVALID_REQUEST);
    }

    @Test
    void jsonNestedDeeperThanTheLimitIsAnInvalidRequest() throws Exception {
        String deep = "[".repeat(20) + "]".repeat(20);

        assertError(post(Optional.empty(), "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\", \"params\": "
                + "{\"x\": " + deep + "}}"), 400, McpError.INVALID_REQUEST);
    }

    @Test
    void bodyLargerThanTheLimitIs413() throws Exception {
        String large = "x".repeat(4096);

        HttpResponse<String> response = post(Optional.empty(), "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
                + "\"ping\", \"params\": {\"x\": \"" + large + "\"}}");

        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void unknownMethodIsMethodNotFound() throws Exception {
        String session = session();

        assertError(post(Optional.of(session), "{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": \"sampling/create\"}"),
                200, McpError.METHOD_NOT_FOUND);
    }

    @Test
    void toolCallWithoutANameIsInvalidParams() throws Exception {
        String session = session();

        HttpResponse<String> response = post(Optional.of(session), "{\"jsonrpc\": \"2.0\", \"id\": 8, \"method\": "
                + "\"tools/call\", \"params\": {\"arguments\": {}}}");

        assertError(response, 200, McpError.INVALID_PARAMS);
        assertThat(json(response).path("id").asInt()).isEqualTo(8);
    }

    @Test
    void requestWithoutASessionIs400AndWithAnUnknownOneIs404() throws Exception {
        String ping = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}";

        assertError(post(Optional.empty(), ping), 400, McpError.INVALID_REQUEST);
        assertError(post(Optional.of("0".repeat(48)), ping), 404, McpError.INVALID_REQUEST);
    }

    @Test
    void pingInASessionAnswersAnEmptyResult() throws Exception {
        HttpResponse<String> response = post(Optional.of(session()), "{\"jsonrpc\": \"2.0\", \"id\": \"p\", "
                + "\"method\": \"ping\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("result").isObject()).isTrue();
        assertThat(json(response).path("id").asText()).isEqualTo("p");
    }

    @Test
    void notificationIsAcceptedWithoutABody() throws Exception {
        HttpResponse<String> response = post(Optional.of(session()), "{\"jsonrpc\": \"2.0\", \"method\": "
                + "\"notifications/initialized\"}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void anUnsupportedProtocolVersionHeaderIs400() throws Exception {
        String session = session();

        HttpResponse<String> response = veil.send(request(Optional.of(session), "{\"jsonrpc\": \"2.0\", \"id\": 1, "
                + "\"method\": \"ping\"}").setHeader("MCP-Protocol-Version", "1999-01-01").build());

        assertError(response, 400, McpError.INVALID_REQUEST);
    }

    @Test
    void aDeletedSessionIsGone() throws Exception {
        String session = session();

        HttpResponse<String> deleted = veil.send(veil.request("/mcp").setHeader("Authorization", "Bearer "
                + VeilUnderTest.MASTER_KEY).setHeader("Mcp-Session-Id", session).DELETE().build());

        assertThat(deleted.statusCode()).isEqualTo(200);
        assertError(post(Optional.of(session), "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}"), 404,
                McpError.INVALID_REQUEST);
    }

    @Test
    void getIs405() throws Exception {
        HttpResponse<String> response = veil.send(veil.request("/mcp").setHeader("Authorization", "Bearer "
                + VeilUnderTest.MASTER_KEY).GET().build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("POST, DELETE");
    }

    @Test
    void sessionsAreBounded() throws Exception {
        List<HttpResponse<String>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(post(Optional.empty(), initialize("2025-06-18")));
        }

        assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(200, 200, 200, 503);
        assertThat(json(answers.get(3)).path("error").path("code").asInt()).isEqualTo(McpError.OVERLOADED);
    }

    @Test
    void withoutCredentialsTheAnswerPointsAtTheProtectedResourceMetadata() throws Exception {
        HttpResponse<String> response = veil.send(HttpRequest.newBuilder(java.net.URI.create(veil.baseUrl() + "/mcp"))
                .setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(initialize("2025-06-18"))).build());

        assertError(response, 401, McpError.UNAUTHORIZED);
        assertThat(response.headers().firstValue("www-authenticate")).hasValue(
                "Bearer resource_metadata=\"https://veil.example.com/.well-known/oauth-protected-resource\"");
    }

    @Test
    void protectedResourceMetadataNamesTheResourceAndTheIssuers() throws Exception {
        HttpResponse<String> response = veil.get("/.well-known/oauth-protected-resource");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("resource").asText()).isEqualTo(RESOURCE);
        assertThat(json(response).path("authorization_servers").get(0).asText()).isEqualTo(issuer.issuer());
    }

    @Test
    void aTokenForTheGatewaysResourceIsAccepted() throws Exception {
        String token = issuer.sign(issuer.claims("ana").audience(List.of(RESOURCE)).build());

        HttpResponse<String> response = veil.send(veil.request("/mcp").setHeader("Authorization", "Bearer " + token)
                .setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(initialize("2025-06-18"))).build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        veil.send(veil.request("/mcp").setHeader("Authorization", "Bearer " + token)
                .setHeader("Mcp-Session-Id", response.headers().firstValue("mcp-session-id").orElseThrow())
                .DELETE().build());
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        String token = issuer.token("ana", java.util.Map.of());

        HttpResponse<String> response = veil.send(veil.request("/mcp").setHeader("Authorization", "Bearer " + token)
                .setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(initialize("2025-06-18"))).build());

        assertError(response, 401, McpError.UNAUTHORIZED);
        assertThat(json(response).path("error").path("message").asText()).contains("veil.mcp.resource");
    }

    private String session() {
        HttpResponse<String> response = post(Optional.empty(), initialize("2025-06-18"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.headers().firstValue("mcp-session-id").orElseThrow();
    }

    private void delete(String session) {
        veil.send(veil.request("/mcp").setHeader("Authorization", "Bearer " + VeilUnderTest.MASTER_KEY)
                .setHeader("Mcp-Session-Id", session).DELETE().build());
    }

    private static String initialize(String version) {
        return "{\"jsonrpc\": \"2.0\", \"id\": 0, \"method\": \"initialize\", \"params\": {\"protocolVersion\": \""
                + version + "\", \"capabilities\": {}, \"clientInfo\": {\"name\": \"raw\", \"version\": \"1\"}}}";
    }

    private HttpRequest.Builder request(Optional<String> session, String body) {
        HttpRequest.Builder builder = veil.request("/mcp").setHeader("Authorization", "Bearer "
                + VeilUnderTest.MASTER_KEY).setHeader("Content-Type", "application/json")
                .setHeader("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        session.ifPresent(id -> builder.setHeader("Mcp-Session-Id", id));
        return builder;
    }

    private HttpResponse<String> post(Optional<String> session, String body) {
        HttpResponse<String> response = veil.send(request(session, body).build());
        response.headers().firstValue("mcp-session-id").ifPresent(opened::add);
        return response;
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return McpParts.JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private static void assertError(HttpResponse<String> response, int status, int code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(json(response).path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(json(response).path("error").path("code").asInt()).as(response.body()).isEqualTo(code);
    }
}
