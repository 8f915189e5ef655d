package dev.veil.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.server.accounting.PriceTable;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.TargetRef;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.Role;
import dev.veil.spi.plugin.Caller;

/** The candidates in the policy input carry what the policy needs to weigh them, price included. */
class PolicyInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VeilConfig config = ConfigLoader.fromYaml("""
            veil:
              opa: {enabled: false}
              master-key: test-master-key
              providers:
                openai: {kind: openai, api-key: k, region: us}
                local: {kind: openai-compatible, preset: vllm, base-url: "http://127.0.0.1:1/v1"}
              prices:
                - {model: openai/gpt-4o, input: 2.5, output: 10}
            """, Map.<String, String>of()::get);
    private final PolicyInput input = new PolicyInput(ProviderRegistry.create(config),
            new PriceTable(config.accounting().prices()));

    private JsonNode candidates() throws Exception {
        ServerExchange exchange = new ServerExchange("req_1", "openai.chat", new Caller("k", "t", "team", Map.of()),
                false, Map.of(), System.nanoTime());
        byte[] document = input.chat(ChatRequest.of("smart", List.of(ChatMessage.text(Role.USER, "hi"))),
                List.of(new TargetRef("openai", "gpt-4o"), new TargetRef("local", "my-model")), exchange);
        return JSON.readTree(document).path("candidates");
    }

    @Test
    void givesACandidateItsConfiguredPrice() throws Exception {
        JsonNode price = candidates().get(0).path("price");

        assertThat(price.path("input").asDouble()).isEqualTo(2.5);
        assertThat(price.path("output").asDouble()).isEqualTo(10.0);
    }

    @Test
    void leavesThePriceOutWhenNobodyKnowsIt() throws Exception {
        assertThat(candidates().get(1).has("price")).isFalse();
    }
}
