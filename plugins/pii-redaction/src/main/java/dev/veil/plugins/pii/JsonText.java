package dev.veil.plugins.pii;

/**
 * Writes plain text into the inside of a JSON string. Tool-call arguments are JSON documents kept as text: a value
 * found there is stored decoded (see {@link JsonView}) and written back encoded, so that a name with a quote or a
 * private key with newlines survives the round trip exactly.
 */
final class JsonText {
    private JsonText() {
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
