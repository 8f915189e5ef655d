package dev.veil.plugins.pii;

/**
 * Moves values between plain text and the inside of a JSON string. Tool-call arguments are JSON documents kept as
 * text: a value found there is stored decoded, and written back encoded, so that a name with a quote or a private
 * key with newlines survives the round trip exactly.
 */
final class JsonText {
    private JsonText() {
    }

    /** Decodes JSON string escapes in {@code raw}; returns it as it is when it has none or a broken one. */
    static String decode(String raw) {
        if (raw.indexOf('\\') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 >= raw.length()) {
                return raw;
            }
            char e = raw.charAt(++i);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i + 4 >= raw.length()) {
                        return raw;
                    }
                    try {
                        out.append((char) Integer.parseInt(raw, i + 1, i + 5, 16));
                    } catch (NumberFormatException ex) {
                        return raw;
                    }
                    i += 4;
                }
                default -> {
                    return raw;
                }
            }
        }
        return out.toString();
    }

    /** Encodes {@code plain} for the inside of a JSON string. */
    static String encode(String plain) {
        StringBuilder out = null;
        for (int i = 0; i < plain.length(); i++) {
            char c = plain.charAt(i);
            String escape = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> c < 0x20 ? String.format("\\u%04x", (int) c) : null;
            };
            if (escape != null && out == null) {
                out = new StringBuilder(plain.length() + 8).append(plain, 0, i);
            }
            if (out != null) {
                if (escape != null) {
                    out.append(escape);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? plain : out.toString();
    }
}
