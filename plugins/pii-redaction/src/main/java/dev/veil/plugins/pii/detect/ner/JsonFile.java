package dev.veil.plugins.pii.detect.ner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a model's {@code config.json} into maps, lists, strings, doubles, booleans and nulls: the plugin has no JSON
 * library at run time, and this file is small, written by a tool and read once at startup.
 */
final class JsonFile {
    private static final int MAX_DEPTH = 64;

    private final String text;
    private int at;

    private JsonFile(String text) {
        this.text = text;
    }

    /** @throws IllegalArgumentException when {@code text} is not one JSON object */
    static Map<?, ?> parseObject(String text) {
        JsonFile reader = new JsonFile(text);
        Object value = reader.value(0);
        reader.skipSpace();
        if (reader.at != text.length() || !(value instanceof Map<?, ?> object)) {
            throw new IllegalArgumentException("is not a JSON object");
        }
        return object;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw fail("nests deeper than " + MAX_DEPTH);
        }
        skipSpace();
        if (at >= text.length()) {
            throw fail("ends early");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> object = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek() == '}') {
            at++;
            return object;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw fail("has a key that is not a string");
            }
            String key = string();
            skipSpace();
            expect(':');
            object.put(key, value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect('}');
                return object;
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> array = new ArrayList<>();
        at++;
        skipSpace();
        if (peek() == ']') {
            at++;
            return array;
        }
        while (true) {
            array.add(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect(']');
                return array;
            }
        }
    }

    private String string() {
        at++;
        StringBuilder out = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) {
                break;
            }
            char escaped = text.charAt(at++);
            switch (escaped) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw fail("has a bad \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text, at, at + 4, 16));
                    } catch (NumberFormatException e) {
                        throw fail("has a bad \\u escape");
                    }
                    at += 4;
                }
                default -> out.append(escaped);
            }
        }
        throw fail("has an unterminated string");
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw fail("has an unknown word at character " + at);
        }
        at += word.length();
        return value;
    }

    private Double number() {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        try {
            return Double.parseDouble(text.substring(start, at));
        } catch (NumberFormatException e) {
            throw fail("has an unexpected character at " + start);
        }
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw fail("expects '" + c + "' at character " + at);
        }
        at++;
    }

    private static IllegalArgumentException fail(String problem) {
        return new IllegalArgumentException("is not valid JSON: it " + problem);
    }
}
