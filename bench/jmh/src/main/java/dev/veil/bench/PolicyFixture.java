package dev.veil.bench;

import java.util.List;
import java.util.Map;

import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.TargetRef;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.core.ServerExchange;
import dev.veil.server.policy.PolicyCheck;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.Role;
import dev.veil.spi.plugin.Caller;

/**
 * A policy check wired as the server wires it, against the OPA at the {@value #OPA_URL} system property (else
 * {@code VEIL_OPA_URL}), with a typical request.
 */
final class PolicyFixture {
    /** The system property that names the OPA to check against; bench/micro sets it to the OPA it starts. */
    static final String OPA_URL = "veil.bench.opa-url";

    final PolicyCheck check;
    final ChatRequest request;
    final List<TargetRef> candidates;
    private final Caller caller = new Caller("k_1", "acme", "support", Map.of("env", "prod"));

    /** @param cache whether to keep decisions for identical inputs (1 s, 10,000 entries) */
    PolicyFixture(boolean cache) {
        String opa = System.getProperty(OPA_URL,
                System.getenv().getOrDefault("VEIL_OPA_URL", "http://127.0.0.1:8181"));
        VeilConfig config = ConfigLoader.fromYaml("""
                veil:
                  master-key: bench-master-key
                  opa: {url: "%s", timeout: 2s%s}
                  providers:
                    openai: {kind: openai, api-key: k, region: us}
                    mistral: {kind: openai-compatible, preset: mistral, api-key: k, region: eu, zero-retention: true}
                  models:
                    smart: {targets: ["openai/gpt-4o", "mistral/mistral-large-latest"]}
                """.formatted(opa, cache ? ", cache: {max-entries: 10000, ttl: 1s}" : ""),
                Map.<String, String>of()::get);
        ProviderRegistry providers = ProviderRegistry.create(config);
        check = PolicyCheck.create(config.opa(), providers);
        candidates = config.models().get("smart").targets();
        request = ChatRequest.of("smart", List.of(ChatMessage.text(Role.SYSTEM, "Be brief."),
                ChatMessage.text(Role.USER, "What is the capital of Norway?")));
    }

    PolicyCheck.Checked checkOnce() {
        return check.chat(request, candidates, new ServerExchange("req_1", "openai.chat", caller, false, Map.of(),
                System.nanoTime()));
    }
}
