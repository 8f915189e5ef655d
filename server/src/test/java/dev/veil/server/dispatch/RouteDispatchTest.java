package dev.veil.server.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.plugins.TestPlugins;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.Target;

/**
 * Dispatch of a route a plugin set: rounds of retries with backoff inside the deadline, Retry-After, context-length
 * fallbacks, attempts reported to plugins, and zero retention — through the real server and a fake provider.
 */
class RouteDispatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        TestPlugins.ATTEMPTS.clear();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private void route(String settings) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  plugins:
                    - {name: test-route, %s}
                """.formatted(settings)));
    }

    /** Fails the first {@code failures} requests to {@code model} with a 500, then echoes. */
    private void failing(String model, int failures, AtomicInteger calls) {
        FakeOpenAiUpstream.Behavior error = FakeOpenAiUpstream.error(500, "server_error", "boom", null);
        upstream.on(model, exchange -> (calls.getAndIncrement() < failures ? error : FakeOpenAiUpstream.echo())
                .respond(exchange));
    }

    @Test
    void goesRoundAgainAfterEveryTargetFailed() throws Exception {
        AtomicInteger a = new AtomicInteger();
        AtomicInteger b = new AtomicInteger();
        failing("a", 1, a);
        failing("b", 1, b);
        route("targets: [openai/a, openai/b], retries: 1, backoff: 10ms");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("a");
        assertThat(response.headers().firstValue("x-veil-attempts")).hasValue("3");
    }

    @Test
    void stopsAfterTheRoundsTheRouteAllows() throws Exception {
        failing("a", Integer.MAX_VALUE, new AtomicInteger());
        route("targets: [openai/a], retries: 2, backoff: 1ms");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(upstream.received()).hasSize(3);
    }

    @Test
    void givesUpRatherThanWaitPastTheDeadlineForRetryAfter() throws Exception {
        upstream.on("a", FakeOpenAiUpstream.error(429, "rate_limit_error", "slow down", "rate_limit_exceeded"));
        route("targets: [openai/a], retries: 3, backoff: 1ms, deadline: 2s");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).hasValue("7");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void sendsARequestTooLongForTheContextWindowToTheLargerContextFallback() throws Exception {
        upstream.on("small", FakeOpenAiUpstream.error(400, "invalid_request_error",
                "This model's maximum context length is 8192 tokens.", "context_length_exceeded"));
        upstream.on("large", FakeOpenAiUpstream.echo());
        route("targets: [openai/small], context-fallbacks: [openai/large]");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("large");
    }

    @Test
    void neverSendsOtherFailuresToTheContextFallbacks() throws Exception {
        upstream.on("small", FakeOpenAiUpstream.error(503, "server_error", "down", null));
        upstream.on("large", FakeOpenAiUpstream.echo());
        route("targets: [openai/small], context-fallbacks: [openai/large]");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(upstream.received()).extracting(r -> r.body().path("model").asText()).containsOnly("small");
    }

    @Test
    void passesAContextLengthErrorToTheClientWhenThereIsNoFallback() throws Exception {
        upstream.on("small", FakeOpenAiUpstream.error(400, "invalid_request_error",
                "This model's maximum context length is 8192 tokens.", "context_length_exceeded"));
        route("targets: [openai/small]");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText())
                .isEqualTo("context_length_exceeded");
    }

    @Test
    void reportsEveryAttemptToAttemptPlugins() throws Exception {
        upstream.on("a", FakeOpenAiUpstream.error(429, "rate_limit_error", "slow down", null));
        upstream.on("b", FakeOpenAiUpstream.echo());
        route("targets: [openai/a, openai/b]");

        veil.post("/v1/chat/completions", HELLO);

        List<Attempt> attempts = new ArrayList<>();
        TestPlugins.ATTEMPTS.drainTo(attempts);
        assertThat(attempts).extracting(Attempt::target, Attempt::result).containsExactly(
                org.assertj.core.groups.Tuple.tuple(new Target("openai", "a"), Attempt.Result.RATE_LIMITED),
                org.assertj.core.groups.Tuple.tuple(new Target("openai", "b"), Attempt.Result.SUCCEEDED));
        assertThat(attempts.get(0).retryAfter()).hasValueSatisfying(d -> assertThat(d.getSeconds()).isEqualTo(7));
    }

    @Test
    void refusesARouteToAProviderThatIsNotConfigured() throws Exception {
        route("targets: [nowhere/a]");

        HttpResponse<String> response = veil.post("/v1/chat/completions", HELLO);

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("route_invalid");
    }

    @Test
    void refusesZeroRetentionWhenNoCandidateRetainsNothing() throws Exception {
        veil = VeilUnderTest.withUpstream(upstream);

        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .header("x-veil-zero-retention", "true").POST(HttpRequest.BodyPublishers.ofString(HELLO)).build());

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("zero_retention_unavailable");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void tellsAZeroRetentionOpenAiProviderNotToStore() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.echo());
        veil = VeilUnderTest.start(VeilUnderTest.zeroRetentionConfig(upstream, ""));

        HttpResponse<String> response = veil.send(veil.request("/v1/chat/completions")
                .header("x-veil-zero-retention", "true").POST(HttpRequest.BodyPublishers.ofString(HELLO)).build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().path("store").isBoolean()).isTrue();
        assertThat(upstream.lastReceived().body().path("store").asBoolean()).isFalse();
    }
}
