package dev.veil.server.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Turns an {@link AuditEvent} into the JSON document that is encrypted into a record. */
final class AuditPayload {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditPayload() {
    }

    static byte[] encode(AuditRecord record, long createdMillis, boolean keepContent, int maxContentBytes) {
        return switch (record) {
            case AuditEvent event -> encode(event, createdMillis, keepContent, maxContentBytes);
            case AdminEvent event -> encode(event, createdMillis);
            case ToolCallEvent event -> encode(event, createdMillis);
        };
    }

    /**
     * An admin record: {@code "type": "admin"} tells it from a request's record, which has no type (the records
     * before admin records existed had none either).
     */
    static byte[] encode(AdminEvent event, long createdMillis) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", 1);
        root.put("type", "admin");
        root.put("request_id", event.requestId());
        root.put("time_ms", createdMillis);
        ObjectNode actor = root.putObject("actor");
        actor.put("via", event.actor().via());
        actor.put("key_id", event.actor().keyId());
        event.actor().user().ifPresent(v -> actor.put("user", v));
        event.actor().tenant().ifPresent(v -> actor.put("tenant", v));
        event.actor().role().ifPresent(v -> actor.put("role", v));
        root.put("action", event.action());
        ObjectNode target = root.putObject("target");
        new TreeMap<>(event.target()).forEach(target::put);
        event.before().ifPresent(before -> root.set("before", JSON.valueToTree(before)));
        event.after().ifPresent(after -> root.set("after", JSON.valueToTree(after)));
        root.put("status", event.status());
        root.put("outcome", event.outcome());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an admin record cannot be written as JSON", e);
        }
    }

    /** A tool call's record: {@code "type": "tool_call"}; metadata only, never arguments or results. */
    static byte[] encode(ToolCallEvent event, long createdMillis) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", 1);
        root.put("type", "tool_call");
        root.put("request_id", event.requestId());
        root.put("time_ms", createdMillis);
        root.put("surface", "mcp.tools_call");
        ObjectNode principal = root.putObject("principal");
        principal.put("key_id", event.keyId());
        principal.put("tenant", event.tenant());
        principal.put("team", event.team());
        event.user().ifPresent(v -> principal.put("user", v));
        root.put("server", event.server());
        root.put("tool", event.tool());
        event.definitionHash().ifPresent(v -> root.put("definition_hash", v));
        event.decisionId().ifPresent(v -> root.put("decision_id", v));
        root.put("allowed", event.allowed());
        if (!event.reasons().isEmpty()) {
            event.reasons().forEach(root.putArray("reasons")::add);
        }
        ObjectNode arguments = root.putObject("pii");
        new TreeMap<>(event.argumentFindings()).forEach(arguments::put);
        ObjectNode result = root.putObject("result_pii");
        new TreeMap<>(event.resultFindings()).forEach(result::put);
        root.put("zero_retention", event.zeroRetention());
        root.put("latency_us", event.latencyMicros());
        root.put("outcome", event.outcome());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tool call record cannot be written as JSON", e);
        }
    }

    /** The admin record {@link #encode(AdminEvent, long)} wrote, or empty when {@code json} is not one. */
    static Optional<AdminEvent> decodeAdmin(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            JsonNode actor = root.path("actor");
            if (!"admin".equals(root.path("type").asText()) || !root.path("request_id").isTextual()
                    || !actor.path("via").isTextual() || !actor.path("key_id").isTextual()
                    || !root.path("action").isTextual() || !root.path("outcome").isTextual()) {
                return Optional.empty();
            }
            Map<String, String> target = new TreeMap<>();
            root.path("target").properties().forEach(field -> target.put(field.getKey(), field.getValue().asText()));
            return Optional.of(new AdminEvent(root.get("request_id").textValue(),
                    new AdminEvent.Actor(actor.get("via").textValue(), actor.get("key_id").textValue(),
                            text(actor, "user"), text(actor, "tenant"), text(actor, "role")),
                    root.get("action").textValue(), target, map(root.get("before")), map(root.get("after")),
                    root.path("status").asInt(), root.get("outcome").textValue()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        return node.path(field).isTextual() ? Optional.of(node.get(field).textValue()) : Optional.empty();
    }

    private static Optional<Map<String, Object>> map(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        return Optional.of(JSON.convertValue(node, new TypeReference<Map<String, Object>>() { }));
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
