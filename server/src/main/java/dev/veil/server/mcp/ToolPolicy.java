package dev.veil.server.mcp;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.auth.Principal;
import dev.veil.server.config.McpConfig;
import dev.veil.server.config.OpaConfig;
import dev.veil.server.policy.Decision;
import dev.veil.server.policy.OpaPolicyClient;
import dev.veil.server.policy.PolicyUnavailableException;

/**
 * Asks OPA for the MCP decision ({@code veil.mcp.decision-path}, default {@value McpConfig#DEFAULT_DECISION_PATH}):
 * may this principal see or call this tool, read this resource, get this prompt. Input version 1 (see
 * {@code policies/schemas/mcp_input.jsonschema}); the decision is a document like the model path's ({@code allow},
 * {@code reasons}, {@code zero_retention}, {@code redact}), and an undefined one is a denial. Unlike the model path
 * there is no fail-open: when OPA cannot decide, nothing reaches a tool.
 */
final class ToolPolicy implements AutoCloseable {
    private final Optional<OpaPolicyClient> client;

    /**
     * What is asked about.
     *
     * @param method the MCP method: {@code tools/list} (for each tool listed), {@code tools/call},
     *               {@code resources/list}, {@code resources/read}, {@code prompts/list}, {@code prompts/get}
     * @param server the upstream server's name
     * @param name the tool's or prompt's name on that server, or a resource's URI
     * @param definitionHash the tool's definition hash
     * @param pii PII counts by type in the arguments
     * @param zeroRetention whether the caller asked for zero retention
     * @param dataClass the {@code data_class} of {@code x-veil-metadata}, when sent
     */
    record Question(String method, String server, String name, Optional<String> definitionHash,
                    Map<String, Integer> pii, boolean zeroRetention, Optional<String> dataClass,
                    Map<String, String> metadata) {
    }

    ToolPolicy(Optional<OpaConfig> opa, McpConfig config) {
        this.client = opa.map(o -> new OpaPolicyClient(new OpaConfig(o.url(), config.decisionPath(), o.timeout(),
                false, 0, Optional.empty(), Duration.ZERO)));
    }

    boolean enabled() {
        return client.isPresent();
    }

    /** The decision; an allow without asking when policy checks are off ({@code veil.opa.enabled: false}). */
    Decision decide(Principal principal, Question question) {
        if (client.isEmpty()) {
            return new Decision(true, java.util.List.of(), Optional.empty(), java.util.OptionalInt.empty(),
                    Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
        try {
            return client.get().decide(JsonRpc.bytes(input(principal, question)));
        } catch (PolicyUnavailableException e) {
            throw McpError.of(McpError.POLICY_UNAVAILABLE, "The policy engine could not decide, so the request was "
                    + "refused; retry later or ask an operator to check OPA");
        }
    }

    static ObjectNode input(Principal principal, Question question) {
        ObjectNode input = JsonRpc.NODES.objectNode();
        input.put("version", 1);
        input.put("method", question.method());
        ObjectNode who = input.putObject("principal");
        who.put("key_id", principal.caller().keyId());
        who.put("tenant", principal.caller().tenant());
        who.put("team", principal.caller().team());
        ObjectNode labels = who.putObject("labels");
        new TreeMap<>(principal.caller().labels()).forEach(labels::put);
        principal.caller().user().ifPresent(user -> who.put("user", user));
        input.put("server", question.server());
        switch (question.method()) {
            case "resources/read", "resources/list" -> input.put("resource", question.name());
            case "prompts/get", "prompts/list" -> input.put("prompt", question.name());
            default -> input.put("tool", question.name());
        }
        question.definitionHash().ifPresent(hash -> input.put("definition_hash", hash));
        ObjectNode pii = input.putObject("pii");
        new TreeMap<>(question.pii()).forEach(pii::put);
        input.put("zero_retention", question.zeroRetention());
        question.dataClass().ifPresent(dataClass -> input.put("data_class", dataClass));
        ObjectNode metadata = input.putObject("metadata");
        new TreeMap<>(question.metadata()).forEach(metadata::put);
        return input;
    }

    @Override
    public void close() {
        client.ifPresent(OpaPolicyClient::close);
    }
}
