package dev.veil.server.codec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.VeilException;

/**
 * Typed reads of client JSON. Every mismatch becomes a 400 naming the parameter's path, and never echoes the value,
 * which may be personal data.
 */
public final class JsonFields {
    private JsonFields() {
    }

    public static ObjectNode object(JsonNode node, String path) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw VeilException.invalidParam(path, "'" + path + "' must be an object, got " + describe(node));
    }

    public static String requiredString(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw VeilException.invalidParam(path, "'" + path + "' is required");
        }
        if (!node.isTextual()) {
            throw VeilException.invalidParam(path, "'" + path + "' must be a string, got " + describe(node));
        }
        return node.textValue();
    }

    public static Optional<String> optionalString(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw VeilException.invalidParam(path, "'" + path + "' must be a string, got " + describe(node));
        }
        return Optional.of(node.textValue());
    }

    public static Optional<Boolean> optionalBoolean(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isBoolean()) {
            throw VeilException.invalidParam(path, "'" + path + "' must be a boolean, got " + describe(node));
        }
        return Optional.of(node.booleanValue());
    }

    public static OptionalDouble optionalNumber(JsonNode parent, String field, String path, double min, double max) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return OptionalDouble.empty();
        }
        if (!node.isNumber()) {
            throw VeilException.invalidParam(path, "'" + path + "' must be a number, got " + describe(node));
        }
        double value = node.doubleValue();
        if (!(value >= min && value <= max)) {
            throw VeilException.invalidParam(path, "'" + path + "' must be between " + min + " and " + max);
        }
        return OptionalDouble.of(value);
    }

    public static OptionalInt optionalInt(JsonNode parent, String field, String path, int min) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return OptionalInt.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw VeilException.invalidParam(path, "'" + path + "' must be an integer, got " + describe(node));
        }
        int value = node.intValue();
        if (value < min) {
            throw VeilException.invalidParam(path, "'" + path + "' must be at least " + min);
        }
        return OptionalInt.of(value);
    }

    public static OptionalLong optionalLong(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return OptionalLong.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw VeilException.invalidParam(path, "'" + path + "' must be an integer, got " + describe(node));
        }
        return OptionalLong.of(node.longValue());
    }

    public static List<JsonNode> array(JsonNode parent, String field, String path, boolean required) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw VeilException.invalidParam(path, "'" + path + "' is required");
            }
            return List.of();
        }
        if (!node.isArray()) {
            throw VeilException.invalidParam(path, "'" + path + "' must be an array, got " + describe(node));
        }
        List<JsonNode> items = new ArrayList<>(node.size());
        node.forEach(items::add);
        return items;
    }

    public static Map<String, String> stringMap(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Map.of();
        }
        ObjectNode object = object(node, path);
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
            if (!entry.getValue().isTextual()) {
                throw VeilException.invalidParam(path, "values of '" + path + "' must be strings");
            }
            map.put(entry.getKey(), entry.getValue().textValue());
        }
        return map;
    }

    /** The fields of {@code object} whose names are not in {@code known}, kept verbatim. */
    public static Extensions unknown(JsonNode object, Set<String> known) {
        Map<String, RawJson> unknown = null;
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
            if (!known.contains(entry.getKey())) {
                if (unknown == null) {
                    unknown = new LinkedHashMap<>();
                }
                unknown.put(entry.getKey(), raw(entry.getValue()));
            }
        }
        return unknown == null ? Extensions.NONE : Extensions.of(unknown);
    }

    public static RawJson raw(JsonNode node) {
        return node == null || node.isNull() ? RawJson.NULL : new RawJson(node.toString());
    }

    public static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "an unexpected value";
        };
    }
}
