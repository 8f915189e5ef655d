package dev.veil.server.accounting;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads rows of {@code keys.db} strictly: every column of the SQLite type Veil writes (SQLite keeps whatever type it
 * is given), every value in the range the admin API accepts ({@link ValueBounds}; for a key, its stored-key rules).
 * A row that fails is a {@link BadRow} naming the column, never the value, so that the caller can quarantine it and
 * log why.
 */
final class StoredRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A row Veil could not have written. */
    static final class BadRow extends Exception {
        private static final long serialVersionUID = 1L;

        BadRow(String column, String problem) {
            super(column + " " + problem, null, false, false);
        }
    }

    /** SQL that is true for a spend row Veil could have written; the table can be large, so SQLite checks it. */
    static final String VALID_SPEND = """
            (typeof(day) = 'text' AND date(day) IS day AND typeof(key_id) = 'text' AND typeof(tenant) = 'text'
             AND typeof(team) = 'text' AND typeof(user_id) = 'text' AND typeof(model) = 'text'
             AND typeof(requests) = 'integer' AND requests BETWEEN 0 AND %1$d
             AND typeof(prompt_tokens) = 'integer' AND prompt_tokens BETWEEN 0 AND %1$d
             AND typeof(completion_tokens) = 'integer' AND completion_tokens BETWEEN 0 AND %1$d
             AND typeof(cached_tokens) = 'integer' AND cached_tokens BETWEEN 0 AND %1$d
             AND typeof(reasoning_tokens) = 'integer' AND reasoning_tokens BETWEEN 0 AND %1$d
             AND typeof(cost_micros) = 'integer' AND cost_micros BETWEEN 0 AND %1$d)"""
            .formatted(ValueBounds.MAX_MICROS);

    private StoredRows() {
    }

    static AccountingStore.StoredKey key(ResultSet r) throws SQLException, BadRow {
        String id = text(r, "id");
        if (!ValueBounds.KEY_ID.matcher(id).matches()) {
            throw new BadRow("id", "is not 16 hex digits");
        }
        VirtualKey key = new VirtualKey(id, text(r, "name"), text(r, "tenant"), text(r, "team"),
                labels(text(r, "labels")), models(text(r, "models")), text(r, "scope"),
                optionalInstant(r, "expires_at"), integer(r, "rpm"), integer(r, "tpm"), instant(r, "created_at"),
                optionalInstant(r, "rotated_at"), optionalInstant(r, "revoked_at"));
        Optional<ValueBounds.Problem> problem = ValueBounds.storedProblem(key);
        if (problem.isPresent()) {
            throw new BadRow(problem.get().field(), problem.get().message());
        }
        return new AccountingStore.StoredKey(key, blob(r, "salt", 16), blob(r, "hash", 32));
    }

    static BudgetSpec budget(ResultSet r) throws SQLException, BadRow {
        String scopeId = text(r, "scope");
        BudgetSpec budget = new BudgetSpec(new BudgetScope(text(r, "kind"), text(r, "tenant"), text(r, "team"),
                text(r, "key_id"), text(r, "user_id")), text(r, "period"), integer(r, "limit_micros"),
                integer(r, "soft_micros"));
        Optional<ValueBounds.Problem> problem = ValueBounds.problem(budget);
        if (problem.isPresent()) {
            throw new BadRow(problem.get().field(), problem.get().message());
        }
        if (!budget.scope().id().equals(scopeId)) {
            throw new BadRow("scope", "does not match its kind, tenant, team, key_id and user_id");
        }
        return budget;
    }

    static String name(ResultSet r, String column) throws SQLException, BadRow {
        String name = text(r, column);
        if (!ValueBounds.NAME.matcher(name).matches()) {
            throw new BadRow(column, "is not a tenant or team name");
        }
        return name;
    }

    static String text(ResultSet r, String column) throws SQLException, BadRow {
        Object value = r.getObject(column);
        if (value instanceof String text) {
            return text;
        }
        throw new BadRow(column, value == null ? "is NULL" : "is not text");
    }

    static long integer(ResultSet r, String column) throws SQLException, BadRow {
        Object value = r.getObject(column);
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new BadRow(column, value == null ? "is NULL" : "is not an integer");
    }

    private static byte[] blob(ResultSet r, String column, int length) throws SQLException, BadRow {
        Object value = r.getObject(column);
        if (value instanceof byte[] bytes && bytes.length == length) {
            return bytes;
        }
        throw new BadRow(column, value == null ? "is NULL" : "is not " + length + " bytes");
    }

    private static Instant instant(ResultSet r, String column) throws SQLException, BadRow {
        try {
            return Instant.parse(text(r, column));
        } catch (DateTimeParseException e) {
            throw new BadRow(column, "is not an ISO-8601 UTC time");
        }
    }

    private static Optional<Instant> optionalInstant(ResultSet r, String column) throws SQLException, BadRow {
        return r.getObject(column) == null ? Optional.empty() : Optional.of(instant(r, column));
    }

    private static Map<String, String> labels(String json) throws BadRow {
        JsonNode node = parse(json, "labels");
        if (!node.isObject()) {
            throw new BadRow("labels", "is not a JSON object");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            if (!label.getValue().isTextual()) {
                throw new BadRow("labels", "holds a value that is not a string");
            }
            labels.put(label.getKey(), label.getValue().asText());
        }
        return labels;
    }

    private static List<String> models(String json) throws BadRow {
        JsonNode node = parse(json, "models");
        if (!node.isArray()) {
            throw new BadRow("models", "is not a JSON array");
        }
        List<String> models = new ArrayList<>();
        for (JsonNode model : node) {
            if (!model.isTextual()) {
                throw new BadRow("models", "holds an entry that is not a string");
            }
            models.add(model.asText());
        }
        return models;
    }

    private static JsonNode parse(String json, String column) throws BadRow {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null) {
                throw new BadRow(column, "is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BadRow(column, "is not JSON");
        }
    }
}
