package dev.veil.server.accounting;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.SseClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCostTest {
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
    void aJsonAnswerCarriesItsCostAtTheConfiguredPrice() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\"}").path("key").asText();

        HttpResponse<String> response = veil.chat(key, "smart", "Hello there, Veil");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-cost"))
                .hasValue(KeysFixture.usd(KeysFixture.expectedMicros(veil.json(response))));
    }

    @Test
    void embeddingsAreMeteredAndPricedToo() throws Exception {
        veil.restartWith("  prices:\n    - {model: openai/text-embedding-3-small, input: 500, output: 0}\n");
        veil.upstream.on("text-embedding-3-small", exchange -> exchange.json(200, KeysFixture.JSON.readTree("""
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":7,"total_tokens":7}}""")));
        JsonNode created = veil.createKey("{\"tenant\": \"acme\"}");

        HttpResponse<String> response = veil.send(created.path("key").asText(), "/v1/embeddings",
                "{\"model\": \"openai/text-embedding-3-small\", \"input\": \"index this\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-veil-cost")).hasValue(KeysFixture.usd(7 * 500));
    }

    @Test
    void cachedInputTokensArePricedAtTheirOwnRateAndNotTwice() throws Exception {
        veil.upstream.on("gpt-4o", exchange -> {
            ObjectNode body = KeysFixture.JSON.createObjectNode();
            body.put("id", "chatcmpl-cached").put("object", "chat.completion").put("created", 1).put("model", "gpt-4o");
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", "ok");
            ObjectNode usage = body.putObject("usage");
            usage.put("prompt_tokens", 100).put("completion_tokens", 10).put("total_tokens", 110);
            usage.putObject("prompt_tokens_details").put("cached_tokens", 40);
            exchange.json(200, body);
        });
        String key = veil.createKey("{\"tenant\": \"acme\"}").path("key").asText();

        HttpResponse<String> response = veil.chat(key, "smart", "Hello");

        // 60 uncached at $1000/M, 40 cached at $100/M, 10 output at $2000/M.
        assertThat(response.headers().firstValue("x-veil-cost")).hasValue(KeysFixture.usd(60 * 1000 + 40 * 100
                + 10 * 2000));
    }

    @Test
    void spendIsRecordedPerKeyTeamTenantModelAndDay() throws Exception {
        JsonNode created = veil.createKey("{\"tenant\": \"acme\", \"team\": \"support\"}");
        long expected = 0;
        for (int i = 0; i < 3; i++) {
            expected += KeysFixture.expectedMicros(veil.json(veil.chat(created.path("key").asText(), "smart",
                    "Hello " + i)));
        }

        JsonNode usage = veil.json(veil.veil.get("/admin/usage?tenant=acme&team=support&key="
                + created.path("id").asText() + "&model=openai/gpt-4o"));

        assertThat(usage.path("data")).hasSize(1);
        JsonNode row = usage.path("data").get(0);
        assertThat(row.path("day").asText()).isEqualTo(java.time.LocalDate.ofInstant(veil.clock.instant(), java.time.ZoneOffset.UTC).toString());
        assertThat(row.path("requests").asLong()).isEqualTo(3);
        assertThat(row.path("cost_usd").decimalValue()).isEqualByComparingTo(KeysFixture.usd(expected));
    }

    @Test
    void responsesAreMeteredAndPricedAsJsonAndStreamed() throws Exception {
        JsonNode created = veil.createKey("{\"tenant\": \"acme\", \"team\": \"agents\"}");
        String key = created.path("key").asText();

        HttpResponse<String> json = veil.send(key, "/v1/responses",
                "{\"model\": \"smart\", \"max_output_tokens\": 5, \"input\": \"Hello there\"}");
        HttpResponse<String> stream = veil.send(key, "/v1/responses",
                "{\"model\": \"smart\", \"max_output_tokens\": 5, \"input\": \"Hello again\", \"stream\": true}");

        assertThat(json.statusCode()).isEqualTo(200);
        long jsonCost = responseMicros(veil.json(json).path("usage"));
        assertThat(json.headers().firstValue("x-veil-cost")).hasValue(KeysFixture.usd(jsonCost));
        JsonNode completed = null;
        for (String line : stream.body().lines().toList()) {
            if (line.startsWith("data: ") && line.contains("\"response.completed\"")) {
                completed = KeysFixture.JSON.readTree(line.substring(6)).path("response");
            }
        }
        assertThat(completed).isNotNull();
        long total = jsonCost + responseMicros(completed.path("usage"));
        await("the stream's settlement").until(() -> veil.json(veil.veil.get("/admin/usage?key="
                + created.path("id").asText())).path("data").path(0).path("requests").asLong() == 2);
        JsonNode row = veil.json(veil.veil.get("/admin/usage?key=" + created.path("id").asText())).path("data").get(0);
        assertThat(row.path("cost_usd").decimalValue()).isEqualByComparingTo(KeysFixture.usd(total));
    }

    /** What the fixture's prices make of a Responses usage object. */
    private static long responseMicros(JsonNode usage) {
        return usage.path("input_tokens").asLong() * KeysFixture.INPUT_MICROS_PER_TOKEN
                + usage.path("output_tokens").asLong() * KeysFixture.OUTPUT_MICROS_PER_TOKEN;
    }

    @Test
    void usageFiltersByTenant() throws Exception {
        veil.chat(veil.createKey("{\"tenant\": \"acme\"}").path("key").asText(), "smart", "Hello");
        veil.chat(veil.createKey("{\"tenant\": \"globex\"}").path("key").asText(), "smart", "Hello");

        JsonNode usage = veil.json(veil.veil.get("/admin/usage?tenant=globex"));

        assertThat(usage.path("data")).hasSize(1);
        assertThat(usage.path("data").get(0).path("tenant").asText()).isEqualTo("globex");
    }

    @Test
    void usageExportsAsCsv() throws Exception {
        JsonNode created = veil.createKey("{\"tenant\": \"acme\", \"team\": \"support\"}");
        long cost = KeysFixture.expectedMicros(veil.json(veil.chat(created.path("key").asText(), "smart", "Hello")));

        HttpResponse<String> csv = veil.veil.get("/admin/usage?tenant=acme&format=csv");

        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/csv"));
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("day,key_id,tenant,team,user,model,requests,prompt_tokens,"
                + "completion_tokens,cached_tokens,reasoning_tokens,cost_usd");
        assertThat(lines.get(1)).contains("," + created.path("id").asText() + ",acme,support,,openai/gpt-4o,1,")
                .endsWith("," + KeysFixture.usd(cost));
    }

    @Test
    void aBadUsageDateIsA400NamingIt() throws Exception {
        HttpResponse<String> response = veil.veil.get("/admin/usage?from=yesterday");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(veil.json(response).at("/error/param").asText()).isEqualTo("from");
    }

    @Test
    void aStreamTheClientAbandonedIsStillCounted() throws Exception {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            many.add("piece" + i + " ");
        }
        veil.upstream.on("gpt-4o", FakeOpenAiUpstream.answer(many, Duration.ofMillis(25)));
        JsonNode created = veil.createKey("{\"tenant\": \"acme\"}");

        SseClient stream = SseClient.send(veil.veil, veil.veil.request("/v1/chat/completions")
                .setHeader("Authorization", "Bearer " + created.path("key").asText())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
                        {"model": "smart", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"""))
                .build());
        stream.next();
        stream.next();
        stream.close();
        assertThat(veil.upstream.awaitStreamAborted(Duration.ofSeconds(9))).isTrue();

        // Veil settles the aborted request only once it notices the client went away.
        JsonNode row = await().atMost(Duration.ofSeconds(5)).until(() -> veil.json(veil.veil.get("/admin/usage?key="
                + created.path("id").asText())).path("data"), data -> !data.isEmpty()).get(0);
        assertThat(row.path("requests").asLong()).as(row.toString()).isEqualTo(1);
        assertThat(row.path("completion_tokens").asLong()).as(row.toString()).isPositive();
        assertThat(row.path("completion_tokens").asLong()).isPositive();
        assertThat(row.path("cost_usd").decimalValue()).isPositive();
    }
}
