package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy coverage, proved route by route: every route Veil serves that reaches a provider — in each of the ways it
 * can answer (translated, streamed, Anthropic or OpenAI Responses passthrough, a response-cache hit, an exact or
 * estimated token count)
 * — answers a policy denial with 403, a model the key may not use with 403, the key's rate limit with 429, and
 * leaves exactly one audit record per request. The route list comes from the server itself, so a new provider route
 * without a case here fails {@link #everyProviderRouteHasACase}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteCoverageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DENY_EVERY_MODEL = "[{\"tenant\": \"default\", \"models\": [\"no-such-model-*\"]}]";

    /**
     * One way of reaching a provider through one route.
     *
     * @param name what the case exercises
     * @param path the route
     * @param body a request that succeeds with the master key
     * @param primed whether the same request is sent first, so that the checked one is a cache hit
     */
    record Case(String name, String path, String body, boolean primed) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("chat completion", "/v1/chat/completions", chat("smart", false, "a translated answer"), false),
            new Case("streamed chat completion", "/v1/chat/completions", chat("smart", true, "a stream"), false),
            new Case("chat completion from the cache", "/v1/chat/completions",
                    chat("cached", false, "asked twice"), true),
            new Case("messages, translated", "/v1/messages", messages("smart", false), false),
            new Case("messages, Anthropic passthrough", "/v1/messages", messages("claude", false), false),
            new Case("messages, passthrough stream", "/v1/messages", messages("claude", true), false),
            new Case("count_tokens, exact", "/v1/messages/count_tokens",
                    "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"count me\"}]}", false),
            new Case("count_tokens, estimated", "/v1/messages/count_tokens",
                    "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"count me\"}]}", false),
            new Case("embeddings", "/v1/embeddings", "{\"model\":\"embed\",\"input\":\"embed me\"}", false),
            new Case("responses, translated", "/v1/responses", responses("claude", false), false),
            new Case("responses, translated stream", "/v1/responses", responses("claude", true), false),
            new Case("responses, OpenAI passthrough", "/v1/responses", responses("smart", false), false),
            new Case("responses, passthrough stream", "/v1/responses", responses("smart", true), false),
            new Case("responses from the cache", "/v1/responses", "{\"model\":\"cached\",\"input\":\"twice\"}",
                    true));

    @TempDir
    static Path dir;

    private OpaProcess opa;
    private FakeOpenAiUpstream openai;
    private FakeAnthropicUpstream anthropic;
    private VeilUnderTest veil;
    private AuditConfig audit;

    @BeforeAll
    void start() throws Exception {
        opa = OpaProcess.start();
        openai = new FakeOpenAiUpstream();
        openai.on("text-embedding-3-small", exchange -> exchange.json(200, JSON.readTree("""
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3}}""")));
        anthropic = new FakeAnthropicUpstream();
        // Each case flips the policy between two requests: no decision is reused, so the flip applies at once.
        String yaml = """
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  data-dir: "%s"
                  opa: {url: "%s", cache: {max-entries: 0}}
                  audit: {key-file: "%s", file: "%s"}
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  plugins:
                    - name: response-cache
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: k}
                    anthropic: {kind: anthropic, base-url: "%s", api-key: k}
                  models:
                    smart: {targets: ["openai/gpt-4o"]}
                    cached: {targets: ["openai/gpt-4o-mini"]}
                    claude: {targets: ["anthropic/claude-sonnet-4-5"]}
                    embed: {targets: ["openai/text-embedding-3-small"]}
                """.formatted(VeilUnderTest.MASTER_KEY, dir, opa.url(), dir.resolve("audit-key"),
                dir.resolve("audit.db"), openai.baseUrl(), anthropic.baseUrl());
        byte[] auditKey = new byte[32];
        new java.security.SecureRandom().nextBytes(auditKey);
        java.nio.file.Files.writeString(dir.resolve("audit-key"), java.util.Base64.getEncoder().encodeToString(auditKey));
        audit = ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get).audit().orElseThrow();
        veil = VeilUnderTest.start(yaml);
    }

    @AfterAll
    void stop() throws Exception {
        veil.close();
        openai.close();
        anthropic.close();
        opa.close();
    }

    @Test
    void everyProviderRouteHasACase() {
        Set<String> providerRoutes = veil.routes().all().stream()
                .filter(route -> route.reach() == Routes.Reach.PROVIDER).map(Routes.Route::path)
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(providerRoutes).isNotEmpty();
        assertThat(CASES.stream().map(Case::path).collect(Collectors.toSet())).containsAll(providerRoutes);
    }

    @TestFactory
    Stream<DynamicTest> aPolicyDenialIsA403OnEveryWayOut() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            if (c.primed()) {
                assertThat(send(VeilUnderTest.MASTER_KEY, c).statusCode()).isEqualTo(200);
            }
            opa.setting("authz.rules", DENY_EVERY_MODEL);
            try {
                HttpResponse<String> denied = send(VeilUnderTest.MASTER_KEY, c);

                assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
                assertThat(errorMessage(denied)).startsWith("Request denied by policy");
                assertOneAuditRecordEach(List.of(denied));
            } finally {
                opa.defaultSettings();
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> aModelTheKeyMayNotUseIsA403OnEveryWayOut() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            if (c.primed()) {
                assertThat(send(VeilUnderTest.MASTER_KEY, c).statusCode()).isEqualTo(200);
            }
            String key = createKey("{\"tenant\": \"default\", \"models\": [\"no-such-model-*\"]}");

            HttpResponse<String> refused = send(key, c);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(errorMessage(refused)).contains("may not use model");
            assertOneAuditRecordEach(List.of(refused));
        }));
    }

    @TestFactory
    Stream<DynamicTest> theKeysRateLimitIsA429OnEveryWayOut() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            String key = createKey("{\"tenant\": \"default\", \"limits\": {\"rpm\": 1}}");

            HttpResponse<String> first = send(key, c);
            HttpResponse<String> second = send(key, c);

            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            if (c.primed()) {
                assertThat(first.headers().firstValue("x-veil-cache")).isPresent();
            }
            assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
            assertThat(errorMessage(second)).startsWith("Rate limit reached");
            assertThat(second.headers().firstValue("retry-after")).isPresent();
            assertOneAuditRecordEach(List.of(first, second));
        }));
    }

    @TestFactory
    Stream<DynamicTest> anAllowedRequestLeavesOneAuditRecordOnEveryWayOut() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<HttpResponse<String>> responses = new ArrayList<>();
            if (c.primed()) {
                responses.add(send(VeilUnderTest.MASTER_KEY, c));
            }
            HttpResponse<String> answered = send(VeilUnderTest.MASTER_KEY, c);
            responses.add(answered);

            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            if (c.primed()) {
                assertThat(answered.headers().firstValue("x-veil-cache")).hasValue("hit");
            }
            assertOneAuditRecordEach(responses);
        }));
    }

    private HttpResponse<String> send(String key, Case c) {
        return veil.send(veil.request(c.path()).setHeader("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(c.body())).build());
    }

    private String createKey(String json) throws Exception {
        HttpResponse<String> created = veil.post("/admin/keys", json);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("key").asText();
    }

    private void assertOneAuditRecordEach(List<HttpResponse<String>> responses) {
        Collection<Map<String, Object>> records;
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            records = new AuditExporter(database).all().values();
        }
        for (HttpResponse<String> response : responses) {
            String requestId = response.headers().firstValue("x-veil-request-id").orElseThrow();
            List<Map<String, Object>> mine = records.stream()
                    .filter(record -> requestId.equals(record.get("request_id"))).toList();
            assertThat(mine).as("audit records of request " + requestId).hasSize(1);
            assertThat(mine.get(0)).containsEntry("status", response.statusCode());
        }
    }

    /** The error's message, in either surface's error shape (both nest it under {@code error}). */
    private static String errorMessage(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("error").path("message").asText();
    }

    private static String chat(String model, boolean stream, String content) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + content + "\"}]}";
    }

    private static String messages(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":16,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    }

    private static String responses(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_output_tokens\":16,\"stream\":" + stream
                + ",\"input\":\"hello\"}";
    }
}
