package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A model name is checked before anything else happens: control characters, invisible formatting and oversized
 * names are a 400 in the surface's own error shape on every surface that takes a model, no provider is called, and
 * nothing of the name comes back in a header or in the error.
 */
class ModelNameValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INJECTED = "X-Injected";

    private static FakeOpenAiUpstream openai;
    private static FakeAnthropicUpstream anthropic;
    private static VeilUnderTest veil;

    /** A surface that takes a model: its path, a valid body around a model name, and its error shape. */
    enum Surface {
        CHAT("/v1/chat/completions", "{\"model\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", false),
        EMBEDDINGS("/v1/embeddings", "{\"model\":%s,\"input\":\"hi\"}", false),
        MESSAGES("/v1/messages", "{\"model\":%s,\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                true),
        COUNT_TOKENS("/v1/messages/count_tokens", "{\"model\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                true);

        final String path;
        final String body;
        final boolean anthropicShape;

        Surface(String path, String body, boolean anthropicShape) {
            this.path = path;
            this.body = body;
            this.anthropicShape = anthropicShape;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        openai = new FakeOpenAiUpstream();
        anthropic = new FakeAnthropicUpstream();
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    veil: {kind: echo}
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream-secret-1234"}
                    anthropic: {kind: anthropic, base-url: "%s", api-key: "sk-ant-upstream"}
                """.formatted(VeilUnderTest.MASTER_KEY, openai.baseUrl(), anthropic.baseUrl()));
    }

    @AfterAll
    static void stop() throws Exception {
        veil.close();
        openai.close();
        anthropic.close();
    }

    static Stream<Arguments> hostileNames() {
        List<String> names = List.of(
                "veil/echo\u0000x",
                "gpt-4o\r\nX-Injected: 1",
                "openai/gpt-4o\nX-Injected: 1",
                "anthropic/claude-test\r\nX-Injected: 1",
                "claude-test\u0007",
                "veil/echo\u007f",
                "veil/echo\u0085",
                "veil/echo\u009b31m",
                "veil/echo\u2028X-Injected: 1",
                "veil/echo\u2029",
                "veil/\u202eohce",
                "veil/echo\u200b",
                "veil/echo\ufeff",
                "veil/echo\ud800",
                "veil/" + "e".repeat(252),
                "veil/" + "e".repeat(1 << 20));
        List<Arguments> cases = new ArrayList<>();
        for (Surface surface : Surface.values()) {
            for (String name : names) {
                cases.add(Arguments.of(surface, name));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} #{index}")
    @MethodSource("hostileNames")
    void refusesAHostileModelNameBeforeAnyProviderIsCalled(Surface surface, String model) throws Exception {
        int openaiBefore = openai.received().size();
        int anthropicBefore = anthropic.requests();

        HttpResponse<String> response = send(surface, model);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase(INJECTED));
        assertThat(response.headers().firstValue("x-veil-model")).isEmpty();
        JsonNode body = JSON.readTree(response.body());
        if (surface.anthropicShape) {
            assertThat(body.path("type").asText()).isEqualTo("error");
            assertThat(body.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        } else {
            assertThat(body.path("error").path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(body.path("error").path("code").asText()).isEqualTo("invalid_model");
            assertThat(body.path("error").path("param").asText()).isEqualTo("model");
        }
        String message = body.path("error").path("message").asText();
        assertThat(message).contains("model").doesNotContain("echo").doesNotContain(INJECTED)
                .doesNotContain("claude-test").hasSizeLessThan(300);
        assertThat(openai.received()).hasSize(openaiBefore);
        assertThat(anthropic.requests()).isEqualTo(anthropicBefore);
    }

    @Test
    void acceptsTheLongestModelNameAllowed() throws Exception {
        String model = "veil/" + "e".repeat(251);

        HttpResponse<String> response = send(Surface.CHAT, model);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("e".repeat(251));
    }

    @Test
    void acceptsAModelNameInAnyScript() throws Exception {
        HttpResponse<String> response = send(Surface.CHAT, "veil/modèle-日本");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("model").asText()).isEqualTo("modèle-日本");
    }

    @Test
    void keepsANonAsciiModelNameOutOfTheResponseHeaders() throws Exception {
        HttpResponse<String> response = send(Surface.CHAT, "veil/modèle-日本");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-model")).isEmpty();
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("veil");
    }

    /** {@code text} as a JSON string with everything outside printable ASCII escaped, lone surrogates included. */
    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                quoted.append("\\u%04x".formatted((int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static HttpResponse<String> send(Surface surface, String model) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(veil.baseUrl() + surface.path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(surface.body.formatted(quote(model)),
                        StandardCharsets.UTF_8));
        if (surface.anthropicShape) {
            request.header("x-api-key", VeilUnderTest.MASTER_KEY).header("anthropic-version", "2023-06-01");
        } else {
            request.header("Authorization", "Bearer " + VeilUnderTest.MASTER_KEY);
        }
        return veil.send(request.build());
    }
}
