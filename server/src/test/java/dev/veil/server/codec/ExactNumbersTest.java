package dev.veil.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.veil.server.testing.FakeHttpServer;
import dev.veil.server.testing.VeilUnderTest;

/**
 * Numbers Veil does not interpret reach the provider exactly as the client wrote them — no rounding, no
 * {@code Infinity}, no lost sign — and numbers it does interpret are refused when out of range rather than
 * overflowing.
 */
class ExactNumbersTest {
    private static final List<String> NUMBERS = List.of("1e99999", "-0.0", "1.0000000000000000000001",
            "123456789012345678901234567890", "-0", "1E+2", "0.10", "2.5e-99999", "-123456789012345678901234567890.5e3");
    private static final String COMPLETION = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1732000000,"model":"gpt-4o",
             "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""";
    private static final String EMBEDDING = """
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,0.25]}],
             "model":"text-embedding-3-small","usage":{"prompt_tokens":1,"total_tokens":1}}""";

    private FakeHttpServer upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeHttpServer(exchange -> exchange.respond(200, "application/json",
                (exchange.request().path().endsWith("/embeddings") ? EMBEDDING : COMPLETION)
                        .getBytes(StandardCharsets.UTF_8), Map.of()));
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    openai: {kind: openai, base-url: "%s/v1", api-key: "sk-upstream-secret-1234"}
                """.formatted(VeilUnderTest.MASTER_KEY, upstream.origin()));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private static String fields() {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < NUMBERS.size(); i++) {
            fields.append(",\"x_").append(i).append("\":").append(NUMBERS.get(i));
        }
        return fields.append(",\"x_nested\":{\"values\":[").append(String.join(",", NUMBERS)).append("]}")
                .toString();
    }

    private static void assertForwardedExactly(String sent) {
        for (int i = 0; i < NUMBERS.size(); i++) {
            assertThat(sent).contains("\"x_" + i + "\":" + NUMBERS.get(i));
        }
        assertThat(sent).contains("\"x_nested\":{\"values\":[" + String.join(",", NUMBERS) + "]}")
                .doesNotContain("Infinity");
    }

    @Test
    void forwardsUnknownChatFieldsNumbersAsWritten() {
        HttpResponse<String> response = veil.post("/v1/chat/completions", "{\"model\":\"openai/gpt-4o\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + fields() + "}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertForwardedExactly(upstream.lastReceived().bodyText());
    }

    @Test
    void forwardsUnknownEmbeddingsFieldsNumbersAsWritten() {
        HttpResponse<String> response = veil.post("/v1/embeddings", "{\"model\":\"openai/text-embedding-3-small\","
                + "\"input\":\"hi\"" + fields() + "}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertForwardedExactly(upstream.lastReceived().bodyText());
    }

    @Test
    void forwardsNumbersInsideUnmodelledPartsAndToolSchemasAsWritten() {
        HttpResponse<String> response = veil.post("/v1/chat/completions", "{\"model\":\"openai/gpt-4o\","
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"level\":1e99999}]}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"n\":{\"type\":\"number\",\"maximum\":1.0000000000000000000001,"
                + "\"minimum\":-0.0}}}}}]}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(upstream.lastReceived().bodyText()).contains("\"level\":1e99999")
                .contains("\"maximum\":1.0000000000000000000001").contains("\"minimum\":-0.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"temperature\":1e99999", "\"temperature\":-1e99999", "\"top_p\":1e400",
            "\"presence_penalty\":-1e99999", "\"max_tokens\":1e99999", "\"max_tokens\":123456789012345678901234567890",
            "\"max_completion_tokens\":2147483648", "\"n\":1e3", "\"seed\":123456789012345678901234567890",
            "\"seed\":1e99999"})
    void refusesAnOutOfRangeKnownNumber(String field) {
        HttpResponse<String> response = veil.post("/v1/chat/completions", "{\"model\":\"openai/gpt-4o\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + field + "}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("invalid_request_error");
        assertThat(upstream.received()).isEmpty();
    }
}
