package dev.veil.server.admin;

import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.accounting.BudgetSpec;
import dev.veil.server.accounting.Money;
import dev.veil.server.accounting.VirtualKey;

/** The JSON the admin API answers with: lists, keys (never their secret) and budgets. */
final class AdminJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private AdminJson() {
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static ObjectNode object(String kind) {
        return MAPPER.createObjectNode().put("object", kind);
    }

    static ObjectNode list(ArrayNode data) {
        ObjectNode out = object("list");
        out.set("data", data);
        return out;
    }

    /** A key as listed; its status ({@code active}, {@code expired}, {@code revoked}) as of {@code now}. */
    static ObjectNode key(VirtualKey key, Instant now) {
        ObjectNode out = object("key");
        out.put("id", key.id());
        out.put("name", key.name());
        out.put("tenant", key.tenant());
        out.put("team", key.team());
        ObjectNode labels = out.putObject("labels");
        key.labels().forEach(labels::put);
        ArrayNode models = out.putArray("models");
        key.models().forEach(models::add);
        out.put("scope", key.scope());
        if (key.expiresAt().isPresent()) {
            out.put("expires_at", key.expiresAt().get().toString());
        } else {
            out.putNull("expires_at");
        }
        out.putObject("limits").put("rpm", key.requestsPerMinute()).put("tpm", key.tokensPerMinute());
        out.put("created_at", key.createdAt().toString());
        key.rotatedAt().ifPresent(at -> out.put("rotated_at", at.toString()));
        key.revokedAt().ifPresent(at -> out.put("revoked_at", at.toString()));
        String status = key.revokedAt().isPresent() ? "revoked"
                : key.expiresAt().filter(at -> !at.isAfter(now)).isPresent() ? "expired" : "active";
        out.put("status", status);
        return out;
    }

    static ObjectNode budget(BudgetSpec spec) {
        ObjectNode out = object("budget");
        out.put("scope", spec.scope().kind());
        if (!spec.scope().tenant().isEmpty()) {
            out.put("tenant", spec.scope().tenant());
        }
        if (!spec.scope().team().isEmpty()) {
            out.put("team", spec.scope().team());
        }
        if (!spec.scope().keyId().isEmpty()) {
            out.put("key_id", spec.scope().keyId());
        }
        if (!spec.scope().user().isEmpty()) {
            out.put("user", spec.scope().user());
        }
        out.put("period", spec.period());
        out.put("limit_usd", Money.usd(spec.limitMicros()));
        out.put("soft_usd", Money.usd(spec.softMicros()));
        return out;
    }
}
