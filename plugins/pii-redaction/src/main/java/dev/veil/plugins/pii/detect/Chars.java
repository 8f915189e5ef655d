package dev.veil.plugins.pii.detect;

/** Character tests shared by the detectors; ASCII fast paths because nearly every candidate character is ASCII. */
final class Chars {
    private Chars() {
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /**
     * The end of the ASCII letters and digits from {@code start}, negated when none of them is a digit: most words
     * of a text hold no digit and no identifier, and this lets a detector skip them in one read.
     */
    static int alnumRunEnd(String text, int start) {
        int i = start;
        boolean digit = false;
        while (i < text.length() && isAsciiAlnum(text.charAt(i))) {
            digit |= isDigit(text.charAt(i));
            i++;
        }
        return digit ? i : -i;
    }

    static boolean isUpperAscii(int c) {
        return c >= 'A' && c <= 'Z';
    }

    static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /**
     * Where the line that holds {@code at} starts, or {@code floor} if that is later: reads back no further than
     * {@code floor}. Detectors ask it per candidate, and an unbounded look-back (lastIndexOf) in a long text without
     * line breaks would read the whole text again for each candidate.
     */
    static int lineStart(String text, int at, int floor) {
        int bound = Math.max(floor, 0);
        for (int i = at - 1; i >= bound; i--) {
            if (text.charAt(i) == '\n') {
                return i + 1;
            }
        }
        return bound;
    }

    /** {@link Character#isLetter(char)}, without its table look-up for ASCII, where the answer is plain. */
    static boolean isLetter(char c) {
        return c < 128 ? isAsciiLetter(c) : Character.isLetter(c);
    }

    /** {@link Character#isLetterOrDigit(char)}, without its table look-up for ASCII. */
    static boolean isLetterOrDigit(char c) {
        return c < 128 ? isAsciiAlnum(c) : Character.isLetterOrDigit(c);
    }

    static boolean isAsciiAlnum(char c) {
        return isDigit(c) || isAsciiLetter(c);
    }

    static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Letters and digits of any script, and {@code _}: what continues an identifier or a word. */
    static boolean isWord(char c) {
        if (c < 128) {
            return isAsciiAlnum(c) || c == '_';
        }
        return Character.isLetterOrDigit(c);
    }

    /** Base64url, the alphabet of most API tokens. */
    static boolean isTokenChar(char c) {
        return isAsciiAlnum(c) || c == '_' || c == '-';
    }

    /**
     * Whether the character before {@code start} glues the candidate to a longer code: a word character, or a joiner
     * such as {@code -} in {@code ORD-2022-83924} that itself follows a word character.
     */
    static boolean attachedBefore(String text, int start) {
        if (start == 0) {
            return false;
        }
        char before = text.charAt(start - 1);
        if (isWord(before) && !isUnspaced(before)) {
            return true;
        }
        boolean joiner = before == '-' || before == '_' || before == '.' || before == '/' || before == '#';
        return joiner && start >= 2 && isWord(text.charAt(start - 2));
    }

    /**
     * Whether the character at {@code end} continues the candidate into a longer code: a word character, or a joiner
     * followed by a word character, as in {@code 2024-03-15T10} or {@code 1.2.3.4.5}. A sentence's final {@code .} or
     * {@code ,} is followed by a space or nothing, so it does not count.
     */
    static boolean attachedAfter(String text, int end) {
        if (end >= text.length()) {
            return false;
        }
        char after = text.charAt(end);
        if (isWord(after)) {
            return !isUnspaced(after);
        }
        if (after == ',') {
            return decimalOrThousandsAfter(text, end + 1);
        }
        boolean joiner = after == '-' || after == '_' || after == '.' || after == '/' || after == ':';
        return joiner && end + 1 < text.length() && isWord(text.charAt(end + 1));
    }

    /**
     * Whether one to three digits and then no further digit or letter follow: the decimals or the next group of an
     * amount ({@code 1,234}, {@code 87,50}). A comma followed by anything else separates fields, as in CSV rows.
     */
    private static boolean decimalOrThousandsAfter(String text, int from) {
        int i = from;
        while (i < text.length() && i - from < 4 && isDigit(text.charAt(i))) {
            i++;
        }
        int digits = i - from;
        return digits >= 1 && digits <= 3 && (i == text.length() || !isWord(text.charAt(i)));
    }

    /**
     * Letters of scripts written without spaces between words (Chinese, Japanese, Thai...): a number right after
     * {@code 手机号} is not glued to a longer code.
     */
    static boolean isUnspaced(char c) {
        if (c < 0x0E00) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.THAI
                || script == Character.UnicodeScript.HANGUL;
    }
}
