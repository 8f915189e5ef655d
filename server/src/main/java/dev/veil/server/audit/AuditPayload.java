package dev.veil.server.audit;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Turns an {@link AuditEvent} into the JSON document that is encrypted into a record. */
final class AuditPayload {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditPayload() {
    }

    static byte[] encode(AuditEvent event, long createdMillis, boolean keepContent, int maxContentBytes) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", 1);
        root.put("request_id", event.requestId());
        root.put("time_ms", createdMillis);
        root.put("surface", event.surface());
        ObjectNode principal = root.putObject("principal");
        event.keyId().ifPresent(v -> principal.put("key_id", v));
        event.tenant().ifPresent(v -> principal.put("tenant", v));
        event.team().ifPresent(v -> principal.put("team", v));
        event.user().ifPresent(v -> principal.put("user", v));
        event.requestedModel().ifPresent(v -> root.put("requested_model", v));
        event.provider().ifPresent(v -> root.put("provider", v));
        event.servedModel().ifPresent(v -> root.put("served_model", v));
        root.put("attempts", event.attempts());
        event.decisionId().ifPresent(v -> root.put("decision_id", v));
        event.policyRevision().ifPresent(v -> root.put("policy_revision", v));
        if (!event.reasons().isEmpty()) {
            event.reasons().forEach(root.putArray("reasons")::add);
        }
        ObjectNode findings = root.putObject("pii");
        new TreeMap<>(event.findings()).forEach(findings::put);
        event.usage().ifPresent(usage -> {
            ObjectNode node = root.putObject("usage");
            node.put("prompt_tokens", usage.promptTokens());
            node.put("completion_tokens", usage.completionTokens());
            node.put("total_tokens", usage.totalTokens());
            node.put("cached_tokens", usage.cachedPromptTokens());
            node.put("reasoning_tokens", usage.reasoningTokens());
        });
        event.costMicros().ifPresent(micros -> root.put("cost_micro_usd", micros));
        root.put("latency_us", event.latencyMicros());
        root.put("status", event.status());
        event.error().ifPresent(v -> root.put("error", v));
        event.cache().ifPresent(v -> root.put("cache", v));
        root.put("zero_retention", event.zeroRetention());
        event.zeroRetentionReason().ifPresent(v -> root.put("zero_retention_reason", v));
        root.put("client_cancelled", event.clientCancelled());
        boolean store = keepContent && !event.zeroRetention();
        content(root, "prompt", event.prompt(), store, maxContentBytes);
        content(root, "response", event.response(), store, maxContentBytes);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static void content(ObjectNode root, String field, Optional<Supplier<String>> supplier, boolean store,
                                int maxBytes) {
        if (supplier.isEmpty()) {
            return;
        }
        String text = supplier.get().get();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        root.put(field + "_sha256", HexFormat.of().formatHex(AuditChain.sha256().digest(bytes)));
        if (!store) {
            return;
        }
        if (bytes.length > maxBytes) {
            root.put(field, new String(bytes, 0, maxBytes, StandardCharsets.UTF_8));
            root.put(field + "_truncated", true);
        } else {
            root.put(field, text);
        }
    }

    static Map<String, Object> decode(byte[] json) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSON.readValue(json, Map.class);
            return map;
        } catch (java.io.IOException e) {
            throw new AuditException("a decrypted record is not JSON");
        }
    }
}
