package dev.veil.server.accounting;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * A Veil with its key store in a temporary data dir, the fake OpenAI upstream behind the alias {@code smart}, and a
 * price the tests choose: openai/gpt-4o at $1000 input, $2000 output and $100 cached input per million tokens, so one
 * token is a round number of micro-dollars.
 */
final class KeysFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long INPUT_MICROS_PER_TOKEN = 1000;
    static final long OUTPUT_MICROS_PER_TOKEN = 2000;
    static final long CACHED_MICROS_PER_TOKEN = 100;

    final FakeOpenAiUpstream upstream;
    final Path dataDir;
    final String extraYaml;
    /** Veil's clocks, kept across restarts. */
    final FakeClock clock = new FakeClock();
    VeilUnderTest veil;

    KeysFixture(FakeOpenAiUpstream upstream, Path dataDir, String extraYaml) {
        this.upstream = upstream;
        this.dataDir = dataDir;
        this.extraYaml = extraYaml;
        start();
    }

    void start() {
        start("");
    }

    private void start(String morePrices) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  accounting: {flush-interval: 200ms}
                  prices:
                    - {model: openai/gpt-4o, input: 1000, output: 2000, cached-input: 100}
                %s%s""".formatted(dataDir, morePrices.replace("  prices:\n", ""), extraYaml)), clock);
    }

    /** Restarts on the same data dir with more prices (lines of {@code veil.prices} entries under a prices: key). */
    void restartWith(String morePrices) {
        veil.close();
        start(morePrices);
    }

    void restart() {
        veil.close();
        start();
    }

    /** Creates a key with the master key; fails the test unless it was created. */
    JsonNode createKey(String json) throws Exception {
        HttpResponse<String> response = veil.post("/admin/keys", json);
        if (response.statusCode() != 201) {
            throw new AssertionError("key not created: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    HttpResponse<String> chat(String key, String model, String content) {
        return send(key, "/v1/chat/completions", """
                {"model": "%s", "max_tokens": 5, "messages": [{"role": "user", "content": "%s"}]}"""
                .formatted(model, content));
    }

    HttpResponse<String> send(String key, String path, String json) {
        return veil.send(veil.request(path).setHeader("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> get(String key, String path) {
        return veil.send(veil.request(path).setHeader("Authorization", "Bearer " + key).GET().build());
    }

    JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** The cost of a chat answer from its usage, at the test's price, in micro-dollars. */
    static long expectedMicros(JsonNode answer) {
        JsonNode usage = answer.path("usage");
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong();
        return (usage.path("prompt_tokens").asLong() - cached) * INPUT_MICROS_PER_TOKEN
                + cached * CACHED_MICROS_PER_TOKEN + usage.path("completion_tokens").asLong() * OUTPUT_MICROS_PER_TOKEN;
    }

    /**
     * The secret part of a key {@code vk-<16 hex>-<secret>}; the secret is base64url, so it may itself hold dashes
     * and must be cut after the id, not at the last dash.
     */
    static String secretOf(String key) {
        return key.substring("vk-".length() + 16 + 1);
    }

    static String usd(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).toPlainString();
    }

    @Override
    public void close() throws Exception {
        veil.close();
        upstream.close();
    }
}
