package dev.veil.server.audit.export;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.veil.server.audit.AuditExporter;

/**
 * What a sink receives of one record: its metadata, picked field by field from the decrypted record, so that content
 * (the prompt, the answer, their hashes) and any field a later record version adds never leave unless listed here.
 * The document starts with {@code {"seq":}, which {@code veil audit verify --against-export} looks for in each line
 * of an exported stream; it is ASCII only (other characters escaped), so a syslog receiver cannot mangle it.
 *
 * @param seq the record's position in the chain
 * @param createdMillis when it was made
 * @param nodeId the node that wrote it, when known
 * @param json the document
 */
record ExportRecord(long seq, long createdMillis, Optional<String> nodeId, byte[] json) {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonGenerator.Feature.ESCAPE_NON_ASCII)
            .build();
    private static final List<String> PRINCIPAL = List.of("key_id", "tenant", "team", "user");
    private static final List<String> ACTOR = List.of("via", "key_id", "user", "tenant", "role");
    private static final List<String> TOKENS = List.of("prompt_tokens", "completion_tokens", "total_tokens",
            "cached_tokens", "reasoning_tokens");

    /** The export document of {@code record}; {@code regions} maps provider names to their configured regions. */
    static ExportRecord of(AuditExporter.Committed record, Map<String, String> regions) {
        Map<String, Object> payload = record.payload();
        ObjectNode root = JSON.createObjectNode();
        root.put("seq", record.seq());
        root.put("hash", HexFormat.of().formatHex(record.hash()));
        root.put("time", Instant.ofEpochMilli(record.createdMillis()).toString());
        record.nodeId().ifPresent(node -> root.put("node_id", node));
        Object type = payload.get("type");
        root.put("type", "admin".equals(type) || "tool_call".equals(type) ? (String) type : "request");
        text(payload, "request_id").ifPresent(v -> root.put("request_id", v));
        if ("admin".equals(type)) {
            return admin(record, payload, root);
        }
        text(payload, "surface").ifPresent(v -> root.put("surface", v));
        principal(payload, root);
        if ("tool_call".equals(type)) {
            return toolCall(record, payload, root);
        }
        text(payload, "requested_model").ifPresent(v -> root.put("model", v));
        text(payload, "served_model").ifPresent(v -> root.put("served_model", v));
        Optional<String> provider = text(payload, "provider");
        provider.ifPresent(v -> root.put("provider", v));
        provider.map(regions::get).ifPresent(v -> root.put("region", v));
        ObjectNode decision = root.putObject("decision");
        text(payload, "decision_id").ifPresent(v -> decision.put("id", v));
        text(payload, "policy_revision").ifPresent(v -> decision.put("policy_revision", v));
        ArrayNode reasons = decision.putArray("reasons");
        if (payload.get("reasons") instanceof List<?> list) {
            list.stream().filter(String.class::isInstance).map(String.class::cast).forEach(reasons::add);
        }
        counts(payload, "pii", root);
        root.put("zero_retention", Boolean.TRUE.equals(payload.get("zero_retention")));
        text(payload, "zero_retention_reason").ifPresent(v -> root.put("zero_retention_reason", v));
        if (payload.get("usage") instanceof Map<?, ?> usage) {
            ObjectNode tokens = root.putObject("tokens");
            for (String field : TOKENS) {
                if (usage.get(field) instanceof Number number) {
                    tokens.put(field, number.longValue());
                }
            }
        }
        number(payload, "cost_micro_usd").ifPresent(v -> root.put("cost_micro_usd", v));
        number(payload, "status").ifPresent(v -> root.put("status", v));
        text(payload, "error").ifPresent(v -> root.put("error", v));
        text(payload, "cache").ifPresent(v -> root.put("cache", v));
        number(payload, "latency_us").ifPresent(v -> root.put("latency_us", v));
        number(payload, "attempts").ifPresent(v -> root.put("attempts", v));
        root.put("client_cancelled", Boolean.TRUE.equals(payload.get("client_cancelled")));
        return write(record, root);
    }

    /**
     * A tool call through the MCP gateway: which tool of which server, with which definition, the decision and its
     * reasons, PII counts in the arguments and the result, and how it ended. Never the arguments or the result.
     */
    private static ExportRecord toolCall(AuditExporter.Committed record, Map<String, Object> payload, ObjectNode root) {
        text(payload, "server").ifPresent(v -> root.put("server", v));
        text(payload, "tool").ifPresent(v -> root.put("tool", v));
        text(payload, "definition_hash").ifPresent(v -> root.put("definition_hash", v));
        ObjectNode decision = root.putObject("decision");
        text(payload, "decision_id").ifPresent(v -> decision.put("id", v));
        decision.put("allowed", Boolean.TRUE.equals(payload.get("allowed")));
        ArrayNode reasons = decision.putArray("reasons");
        if (payload.get("reasons") instanceof List<?> list) {
            list.stream().filter(String.class::isInstance).map(String.class::cast).forEach(reasons::add);
        }
        counts(payload, "pii", root);
        counts(payload, "result_pii", root);
        root.put("zero_retention", Boolean.TRUE.equals(payload.get("zero_retention")));
        number(payload, "latency_us").ifPresent(v -> root.put("latency_us", v));
        text(payload, "outcome").ifPresent(v -> root.put("outcome", v));
        return write(record, root);
    }

    private static void principal(Map<String, Object> payload, ObjectNode root) {
        ObjectNode principal = root.putObject("principal");
        if (payload.get("principal") instanceof Map<?, ?> map) {
            for (String field : PRINCIPAL) {
                if (map.get(field) instanceof String value) {
                    principal.put(field, value);
                }
            }
        }
    }

    /** PII counts by type, as {@code field} holds them: names and numbers only. */
    private static void counts(Map<String, Object> payload, String field, ObjectNode root) {
        ObjectNode counts = root.putObject(field);
        if (payload.get(field) instanceof Map<?, ?> map) {
            map.forEach((type, count) -> {
                if (type instanceof String name && count instanceof Number number) {
                    counts.put(name, number.longValue());
                }
            });
        }
    }

    /**
     * An admin record (a change through the admin API or CLI): who, what, on what, and how it ended. Its before and
     * after states are sent as recorded: the admin audit records them without secrets.
     */
    private static ExportRecord admin(AuditExporter.Committed record, Map<String, Object> payload, ObjectNode root) {
        ObjectNode actor = root.putObject("actor");
        if (payload.get("actor") instanceof Map<?, ?> map) {
            for (String field : ACTOR) {
                if (map.get(field) instanceof String value) {
                    actor.put(field, value);
                }
            }
        }
        text(payload, "action").ifPresent(v -> root.put("action", v));
        if (payload.get("target") instanceof Map<?, ?> target) {
            root.set("target", JSON.valueToTree(target));
        }
        for (String state : List.of("before", "after")) {
            if (payload.containsKey(state)) {
                root.set(state, JSON.valueToTree(payload.get(state)));
            }
        }
        number(payload, "status").ifPresent(v -> root.put("status", v));
        text(payload, "outcome").ifPresent(v -> root.put("outcome", v));
        return write(record, root);
    }

    private static ExportRecord write(AuditExporter.Committed record, ObjectNode root) {
        try {
            return new ExportRecord(record.seq(), record.createdMillis(), record.nodeId(),
                    JSON.writeValueAsBytes(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static Optional<String> text(Map<String, Object> payload, String field) {
        return payload.get(field) instanceof String value ? Optional.of(value) : Optional.empty();
    }

    private static Optional<Long> number(Map<String, Object> payload, String field) {
        return payload.get(field) instanceof Number value ? Optional.of(value.longValue()) : Optional.empty();
    }
}
