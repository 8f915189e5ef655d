package dev.veil.plugins.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a JSON text into one canonical spelling: object keys sorted, no insignificant whitespace, strings with
 * one escaping. Two texts that mean the same JSON value then hash alike, whatever the client's formatting and key
 * order. Numbers keep their spelling ({@code 1.0} and {@code 1} stay different): a provider may treat them
 * differently too.
 */
final class CanonicalJson {
    private final String text;
    private int position;

    private CanonicalJson(String text) {
        this.text = text;
    }

    /**
     * Appends the canonical form of {@code json} to {@code out}.
     *
     * @throws IllegalArgumentException when {@code json} is not one valid JSON value; {@code out} may then hold part
     *                                  of it
     */
    static void append(String json, StringBuilder out) {
        CanonicalJson parser = new CanonicalJson(json);
        parser.skipWhitespace();
        parser.value(out);
        parser.skipWhitespace();
        if (parser.position != json.length()) {
            throw parser.malformed();
        }
    }

    /** The canonical form of {@code json}. */
    static String canonical(String json) {
        StringBuilder out = new StringBuilder(json.length());
        append(json, out);
        return out.toString();
    }

    /** Appends {@code value} as a JSON string in the canonical escaping. */
    static void appendString(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF,
                                16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private void value(StringBuilder out) {
        if (position >= text.length()) {
            throw malformed();
        }
        char c = text.charAt(position);
        switch (c) {
            case '{' -> object(out);
            case '[' -> array(out);
            case '"' -> appendString(string(), out);
            case 't' -> literal("true", out);
            case 'f' -> literal("false", out);
            case 'n' -> literal("null", out);
            default -> number(out);
        }
    }

    private void object(StringBuilder out) {
        position++;
        List<Map.Entry<String, String>> members = new ArrayList<>();
        skipWhitespace();
        if (peek() == '}') {
            position++;
        } else {
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw malformed();
                }
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                StringBuilder member = new StringBuilder();
                value(member);
                members.add(Map.entry(key, member.toString()));
                skipWhitespace();
                if (peek() == ',') {
                    position++;
                } else {
                    expect('}');
                    break;
                }
            }
        }
        members.sort(Map.Entry.comparingByKey());
        out.append('{');
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            appendString(members.get(i).getKey(), out);
            out.append(':').append(members.get(i).getValue());
        }
        out.append('}');
    }

    private void array(StringBuilder out) {
        position++;
        out.append('[');
        skipWhitespace();
        if (peek() == ']') {
            position++;
        } else {
            boolean first = true;
            while (true) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                skipWhitespace();
                value(out);
                skipWhitespace();
                if (peek() == ',') {
                    position++;
                } else {
                    expect(']');
                    break;
                }
            }
        }
        out.append(']');
    }

    /** Reads a string token and returns its decoded value. */
    private String string() {
        position++;
        StringBuilder value = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                throw malformed();
            }
            char c = text.charAt(position++);
            if (c == '"') {
                return value.toString();
            }
            if (c < 0x20) {
                throw malformed();
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            if (position >= text.length()) {
                throw malformed();
            }
            char escape = text.charAt(position++);
            switch (escape) {
                case '"', '\\', '/' -> value.append(escape);
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'n' -> value.append('\n');
                case 'r' -> value.append('\r');
                case 't' -> value.append('\t');
                case 'u' -> {
                    if (position + 4 > text.length()) {
                        throw malformed();
                    }
                    try {
                        value.append((char) Integer.parseInt(text, position, position + 4, 16));
                    } catch (NumberFormatException e) {
                        throw malformed();
                    }
                    position += 4;
                }
                default -> throw malformed();
            }
        }
    }

    private void number(StringBuilder out) {
        int start = position;
        if (peek() == '-') {
            position++;
        }
        int digits = digits();
        if (digits == 0) {
            throw malformed();
        }
        if (peek() == '.') {
            position++;
            if (digits() == 0) {
                throw malformed();
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            position++;
            if (peek() == '+' || peek() == '-') {
                position++;
            }
            if (digits() == 0) {
                throw malformed();
            }
        }
        out.append(text, start, position);
    }

    private int digits() {
        int start = position;
        while (position < text.length() && text.charAt(position) >= '0' && text.charAt(position) <= '9') {
            position++;
        }
        return position - start;
    }

    private void literal(String word, StringBuilder out) {
        if (!text.startsWith(word, position)) {
            throw malformed();
        }
        position += word.length();
        out.append(word);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw malformed();
        }
        position++;
    }

    private char peek() {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void skipWhitespace() {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            position++;
        }
    }

    private IllegalArgumentException malformed() {
        // The position only: the text may be personal data.
        return new IllegalArgumentException("malformed JSON at offset " + position);
    }
}
