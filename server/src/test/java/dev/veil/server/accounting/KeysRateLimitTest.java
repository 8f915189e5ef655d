package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import dev.veil.server.testing.FakeOpenAiUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysRateLimitTest {
    @TempDir
    Path dataDir;
    private KeysFixture veil;

    @BeforeEach
    void start() throws Exception {
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, "");
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
    }

    @Test
    void answersCarryOpenAiStyleRateLimitHeaders() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\", \"limits\": {\"rpm\": 5, \"tpm\": 100000}}")
                .path("key").asText();

        HttpResponse<String> response = veil.chat(key, "smart", "Hello");

        assertThat(response.headers().firstValue("x-ratelimit-limit-requests")).hasValue("5");
        assertThat(response.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("4");
        assertThat(response.headers().firstValue("x-ratelimit-reset-requests")).hasValueSatisfying(reset ->
                assertThat(reset).matches("\\d+s"));
        assertThat(response.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("100000");
        assertThat(response.headers().firstValue("x-ratelimit-remaining-tokens")).isPresent();
    }

    @Test
    void requestsOverTheRpmLimitGetA429WithRetryAfter() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\", \"limits\": {\"rpm\": 2}}").path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);

        HttpResponse<String> refused = veil.chat(key, "smart", "Hello");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(veil.json(refused).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    }

    @Test
    void theRequestLimitStartsAgainInTheNextClockMinute() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\", \"limits\": {\"rpm\": 1}}").path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(429);

        veil.clock.advance(Duration.ofMinutes(1));

        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @Test
    void requestsOverTheTpmLimitGetA429() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\", \"limits\": {\"tpm\": 5}}").path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);

        HttpResponse<String> refused = veil.chat(key, "smart", "Hello");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(veil.json(refused).at("/error/message").asText()).contains("tokens per minute");
    }
}
