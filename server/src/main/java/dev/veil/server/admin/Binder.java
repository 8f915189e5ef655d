package dev.veil.server.admin;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.accounting.Money;
import dev.veil.server.accounting.ValueBounds;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;

/**
 * Binds an admin request body to its request record. A record declares its {@link Shape}: the fields it knows and
 * how it reads them through this binder's typed reads, which check each value's type and bounds
 * ({@link ValueBounds}). A problem is a 400 naming the field by its path in the body ({@code limits.rpm},
 * {@code budget.period}) and saying what it must be, never repeating the value; a field the record does not know is
 * one too, listing those it knows. A field that is null counts as absent, except where a read says otherwise.
 */
final class Binder {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a request record reads from one JSON object.
     *
     * @param fields the fields it knows; any other is refused before it is read
     * @param reader builds the record through the binder's typed reads
     */
    record Shape<T>(Set<String> fields, Function<Binder, T> reader) {
    }

    private final JsonNode object;
    private final String path;

    private Binder(JsonNode object, String path, Set<String> fields) {
        this.object = object;
        this.path = path;
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!fields.contains(field)) {
                throw invalid(field, "unknown field; known fields: " + String.join(", ",
                        fields.stream().sorted().toList()));
            }
        }
    }

    /** Binds a whole body (an empty one is an empty object) to {@code shape}. */
    static <T> T bind(byte[] body, Shape<T> shape) {
        JsonNode node;
        try {
            node = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new VeilException(ErrorKind.INVALID_REQUEST, "The request body is not valid JSON");
        }
        if (!node.isObject()) {
            throw new VeilException(ErrorKind.INVALID_REQUEST, "The request body must be a JSON object");
        }
        return shape.reader().apply(new Binder(node, "", shape.fields()));
    }

    /** A required tenant or team name. */
    String name(String field) {
        String value = text(field).orElseThrow(() -> invalid(field, "missing"));
        if (!ValueBounds.NAME.matcher(value).matches()) {
            throw invalid(field, ValueBounds.nameRule());
        }
        return value;
    }

    /** A name if the field is given; given as null, it is missing. */
    Optional<String> optionalName(String field) {
        return object.has(field) ? Optional.of(name(field)) : Optional.empty();
    }

    Optional<String> text(String field) {
        return value(field).map(node -> {
            if (!node.isTextual()) {
                throw invalid(field, "must be a string");
            }
            return node.asText();
        });
    }

    /** A whole number from 0 to {@code max}; 0 when absent. */
    long count(String field, long max) {
        return value(field).map(node -> {
            if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() < 0 || node.asLong() > max) {
                throw invalid(field, "must be a whole number from 0 (no limit) to " + max);
            }
            return node.asLong();
        }).orElse(0L);
    }

    /** US dollars from 0 to {@link ValueBounds#MAX_USD}, in micro-dollars; 0 when absent. */
    long usd(String field) {
        return value(field).map(node -> {
            // 1e99999 parses as an infinite double, which has no decimal value.
            if (!node.isNumber() || !Double.isFinite(node.asDouble()) || node.decimalValue().signum() < 0
                    || node.decimalValue().compareTo(ValueBounds.MAX_USD) > 0) {
                throw invalid(field, "must be a number of US dollars from 0 to "
                        + ValueBounds.MAX_USD.toPlainString());
            }
            return Money.micros(node.decimalValue());
        }).orElse(0L);
    }

    /** An ISO-8601 UTC time; its range is the record's to check ({@link ValueBounds}). */
    Optional<Instant> time(String field) {
        return text(field).map(value -> {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw invalid(field, "must be an ISO-8601 UTC time, for example 2026-01-31T00:00:00Z");
            }
        });
    }

    /** An object of string values, as labels are; empty when absent. */
    Map<String, String> labels(String field) {
        Map<String, String> labels = new LinkedHashMap<>();
        value(field).ifPresent(node -> {
            if (!node.isObject()) {
                throw invalid(field, "must be an object of string values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> label = it.next();
                if (!label.getValue().isTextual()) {
                    throw invalid(field + "." + label.getKey(), "must be a string");
                }
                labels.put(label.getKey(), label.getValue().asText());
            }
        });
        return labels;
    }

    /** A list of model names or globs, none blank; empty when absent. */
    List<String> models(String field) {
        List<String> models = new ArrayList<>();
        value(field).ifPresent(node -> {
            if (!node.isArray()) {
                throw invalid(field, "must be a list of model names or globs, for example [\"gpt-4o*\", "
                        + "\"anthropic/*\"]");
            }
            for (JsonNode model : node) {
                if (!model.isTextual() || model.asText().isBlank()) {
                    throw invalid(field, "every entry must be a non-empty string");
                }
                models.add(model.asText());
            }
        });
        return models;
    }

    /** A nested object bound to {@code shape}; absent when missing or null. */
    <T> Optional<T> optionalObject(String field, Shape<T> shape, String example) {
        return value(field).map(node -> nested(field, node, shape, example));
    }

    /** A nested object bound to {@code shape}; absent when missing, but null is refused: named, it must be one. */
    <T> Optional<T> object(String field, Shape<T> shape, String example) {
        return object.has(field) ? Optional.of(nested(field, object.get(field), shape, example)) : Optional.empty();
    }

    /** Throws the 400 for {@code problem}, if any, its field put in this object's path. */
    void check(Optional<ValueBounds.Problem> problem) {
        problem.ifPresent(found -> {
            throw invalid(found.field(), found.message());
        });
    }

    /** A 400 naming {@code field} in this object's path and what it must be. */
    VeilException invalid(String field, String rule) {
        return VeilException.invalidParam(path + field, path + field + ": " + rule);
    }

    private <T> T nested(String field, JsonNode node, Shape<T> shape, String example) {
        if (!node.isObject()) {
            throw invalid(field, "must be an object, for example " + example);
        }
        return shape.reader().apply(new Binder(node, path + field + ".", shape.fields()));
    }

    private Optional<JsonNode> value(String field) {
        JsonNode node = object.path(field);
        return node.isMissingNode() || node.isNull() ? Optional.empty() : Optional.of(node);
    }
}
