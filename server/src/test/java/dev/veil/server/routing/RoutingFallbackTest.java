package dev.veil.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * Every way a target can fail before it answers hands the request to the route's next target, and the response
 * headers say which target answered after how many attempts — through the real server, the {@code routing} plugin
 * and a fake provider that fails on command.
 */
class RoutingFallbackTest {
    private static final String ASK = """
            {"model":"chat","messages":[{"role":"user","content":"hello there"}]}""";

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

    /**
     * Veil with a route {@code chat} over {@code openai/first}, then {@code deepseek/second}; no retry rounds, so
     * that a failure is seen exactly once. A short read timeout lets a hanging target fail quickly.
     */
    private void route(String extraRouteYaml) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: routing
                      retries: 0
                      routes:
                        chat:
                          targets: [{target: openai/first}, {target: deepseek/second}]
                %s""".formatted(extraRouteYaml)).replace("read-timeout: 5s", "read-timeout: 300ms"));
    }

    private int callsTo(String model) {
        return (int) upstream.received().stream().filter(r -> r.body().path("model").asText().equals(model)).count();
    }

    private static void assertAnsweredBySecondAfterTwoAttempts(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("deepseek");
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("second");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("2");
        assertThat(response.body()).contains("hello there");
    }

    @Test
    void namesTheFirstTargetAndOneAttemptWhenItAnswers() {
        route("");

        HttpResponse<String> response = veil.post("/v1/chat/completions", ASK);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("openai");
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("first");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("1");
        assertThat(callsTo("second")).isZero();
    }

    @Test
    void failsOverOnARateLimit() {
        upstream.on("first", FakeOpenAiUpstream.rateLimited(30));
        route("");

        assertAnsweredBySecondAfterTwoAttempts(veil.post("/v1/chat/completions", ASK));
    }

    @Test
    void leavesARateLimitedTargetAloneForFollowingRequestsUntilItsRetryAfter() {
        upstream.on("first", FakeOpenAiUpstream.rateLimited(30));
        route("");
        veil.post("/v1/chat/completions", ASK);

        HttpResponse<String> next = veil.post("/v1/chat/completions", ASK);

        assertThat(next.headers().firstValue("x-veil-model")).hasValue("second");
        assertThat(next.headers().firstValue("x-veil-attempts")).hasValue("1");
        assertThat(callsTo("first")).isEqualTo(1);
    }

    @Test
    void failsOverOnAServerError() {
        upstream.on("first", FakeOpenAiUpstream.error(500, "server_error", "The server had an error", null));
        route("");

        assertAnsweredBySecondAfterTwoAttempts(veil.post("/v1/chat/completions", ASK));
    }

    @Test
    void failsOverWhenTheTargetIsOverloaded() {
        upstream.on("first", FakeOpenAiUpstream.overloaded());
        route("");

        assertAnsweredBySecondAfterTwoAttempts(veil.post("/v1/chat/completions", ASK));
    }

    @Test
    void failsOverWhenTheTargetHangsPastTheReadTimeout() {
        upstream.on("first", FakeOpenAiUpstream.hang());
        route("");

        assertAnsweredBySecondAfterTwoAttempts(veil.post("/v1/chat/completions", ASK));
    }

    @Test
    void failsOverWhenTheTargetResetsTheConnection() {
        upstream.on("first", FakeOpenAiUpstream.reset());
        route("");

        assertAnsweredBySecondAfterTwoAttempts(veil.post("/v1/chat/completions", ASK));
    }

    @Test
    void sendsARequestTooLongForTheContextWindowToTheLargerContextTarget() {
        upstream.on("first", FakeOpenAiUpstream.error(400, "invalid_request_error",
                "This model's maximum context length is 8192 tokens.", "context_length_exceeded"));
        route("          context-fallbacks: [openai/large]\n");

        HttpResponse<String> response = veil.post("/v1/chat/completions", ASK);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("large");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("2");
        assertThat(callsTo("second")).as("a context-length error says nothing about the next same-size target")
                .isZero();
    }

    @Test
    void givesUpAtTheRoutesDeadlineWhileATargetHangsRatherThanWaitForTheReadTimeout() {
        upstream.on("first", FakeOpenAiUpstream.hang());
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  plugins:
                    - name: routing
                      routes:
                        chat:
                          targets: [{target: openai/first}, {target: deepseek/second}]
                          deadline: 500ms
                          backoff: 10ms
                """).replace("read-timeout: 5s", "read-timeout: 60s"));

        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(ASK)).build());

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(callsTo("second")).as("the deadline had passed").isZero();
    }

    @Test
    void passesTheLastFailureToTheClientWhenEveryTargetFailed() {
        upstream.on("first", FakeOpenAiUpstream.error(500, "server_error", "boom", null));
        upstream.on("second", FakeOpenAiUpstream.overloaded());
        route("");

        HttpResponse<String> response = veil.post("/v1/chat/completions", ASK);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("deepseek");
        assertThat(callsTo("first")).isEqualTo(1);
        assertThat(callsTo("second")).isEqualTo(1);
    }
}
