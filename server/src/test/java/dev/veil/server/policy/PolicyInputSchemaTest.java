package dev.veil.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.accounting.PriceTable;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.TargetRef;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.server.testing.OpaProcess;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.Extensions;
import dev.veil.spi.Role;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.PiiFindings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the server sends OPA matches the input schema compliance officers type-check their Rego against
 * ({@code policies/schemas/input.jsonschema}), on every surface: the schema and the code cannot drift apart. OPA itself
 * judges, with {@code json.match_schema}.
 */
class PolicyInputSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCHEMA = Path.of("..", "policies", "schemas", "input.jsonschema");

    @TempDir
    Path dir;

    private final VeilConfig config = ConfigLoader.fromYaml("""
            veil:
              opa: {enabled: false}
              master-key: test-master-key
              providers:
                openai: {kind: openai, api-key: k, region: us}
                claude: {kind: anthropic, api-key: k, zero-retention: true}
                local: {kind: openai-compatible, preset: vllm, base-url: "http://127.0.0.1:1/v1"}
              prices:
                - {model: openai/gpt-4o, input: 2.5, output: 10}
            """, Map.<String, String>of()::get);
    private final PolicyInput input = new PolicyInput(ProviderRegistry.create(config),
            new PriceTable(config.accounting().prices()));
    private final List<TargetRef> candidates = List.of(new TargetRef("openai", "gpt-4o"),
            new TargetRef("claude", "claude-sonnet-4-5"), new TargetRef("local", "my-model"));

    private ServerExchange exchange(String surface, boolean stream) {
        ServerExchange exchange = new ServerExchange("req_1", surface, new Caller("k_1", "acme", "support",
                Map.of("env", "prod")), stream, Map.of("data_class", "health", "use_case", "triage"), System.nanoTime());
        exchange.put(Attributes.PII_FINDINGS, PiiFindings.of(Map.of("EMAIL", 2, "PERSON", 1)));
        exchange.put(Attributes.ZERO_RETENTION, true);
        return exchange;
    }

    private static ChatRequest chat() {
        return ChatRequest.of("smart", List.of(ChatMessage.text(Role.SYSTEM, "Be brief."),
                ChatMessage.text(Role.USER, "hi")));
    }

    @Test
    void aChatCompletionsInputMatchesTheSchema() throws Exception {
        assertMatches(input.chat(chat(), candidates, exchange("openai.chat", true)));
    }

    @Test
    void aResponsesInputWithItsConversationMatchesTheSchema() throws Exception {
        ServerExchange exchange = exchange("openai.responses", true);
        exchange.put(ConversationRequest.KEY, new ConversationRequest(true, true));

        byte[] document = input.chat(chat(), candidates, exchange);

        assertMatches(document);
        assertThat(JSON.readTree(document).path("request").path("conversation").path("continues").asBoolean())
                .isTrue();
    }

    @Test
    void aMessagesInputMatchesTheSchema() throws Exception {
        assertMatches(input.chat(chat(), candidates, exchange("anthropic.messages", false)));
    }

    @Test
    void aCountTokensInputMatchesTheSchema() throws Exception {
        assertMatches(input.chat(chat(), candidates, exchange("anthropic.count_tokens", false)));
    }

    @Test
    void anEmbeddingsInputMatchesTheSchema() throws Exception {
        EmbeddingsRequest embeddings = new EmbeddingsRequest("embed", new EmbeddingInput.Texts(List.of("a", "b"), false),
                Optional.empty(), OptionalInt.empty(), Optional.empty(), Extensions.NONE);
        assertMatches(input.embeddings(embeddings, candidates, exchange("openai.embeddings", false)));
    }

    @Test
    void theInputOfATokensCallerNamesItsUserAndMatchesTheSchema() throws Exception {
        ServerExchange exchange = new ServerExchange("req_1", "openai.chat", new Caller("jwt", "bank", "risk",
                Map.of(), Optional.of("ana")), false, Map.of(), System.nanoTime());

        byte[] document = input.chat(chat(), candidates, exchange);

        assertMatches(document);
        assertThat(JSON.readTree(document).path("principal").path("user").asText()).isEqualTo("ana");
    }

    @Test
    void aDocumentMissingAFieldDoesNot() throws Exception {
        ObjectNode document = (ObjectNode) JSON.readTree(input.chat(chat(), candidates,
                exchange("openai.chat", false)));
        document.remove("principal");

        assertThat(match(JSON.writeValueAsBytes(document)).path(0).asBoolean()).isFalse();
    }

    private void assertMatches(byte[] document) throws Exception {
        JsonNode result = match(document);
        assertThat(result.path(1)).as("schema errors for %s", new String(document)).isEmpty();
        assertThat(result.path(0).asBoolean()).isTrue();
    }

    /** OPA's {@code json.match_schema(input, schema)}: {@code [matches, errors]}. */
    private JsonNode match(byte[] document) throws Exception {
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, "{\"schema\": " + Files.readString(SCHEMA) + "}");
        Path inputFile = dir.resolve("input.json");
        Files.write(inputFile, document);
        Process opa = new ProcessBuilder(OpaProcess.binary().toString(), "eval", "--format", "json", "--data",
                schema.toString(), "--input", inputFile.toString(), "json.match_schema(input, data.schema)")
                .redirectErrorStream(true).start();
        byte[] output = opa.getInputStream().readAllBytes();
        assertThat(opa.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(opa.exitValue()).as(new String(output)).isZero();
        return JSON.readTree(output).at("/result/0/expressions/0/value");
    }
}
