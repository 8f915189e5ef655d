package dev.veil.plugins.pii;

/** The {@code mask} and {@code hash} forms of a value. */
final class Masking {
    private Masking() {
    }

    /** Letters and digits replaced by {@code *}; separators kept, so the shape still reads as a card or a phone. */
    static String mask(String value) {
        StringBuilder masked = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            if (Character.isLetterOrDigit(c)) {
                masked.append('*');
            } else {
                masked.appendCodePoint(c);
            }
            i += Character.charCount(c);
        }
        return masked.toString();
    }

    /** The keyed hash form, such as {@code <EMAIL:3f9a1c2b7d4e5f60>}. */
    static String hash(KeyedHasher hasher, String type, String value) {
        return "<" + type + ":" + hasher.hash(type, value) + ">";
    }
}
