package dev.veil.plugins.pii.detect;

import java.util.Set;

/**
 * A set of lower-case words that is asked about a stretch of a text without copying it out: a detector looks up
 * most words of a prompt, and a substring per word cost more than the rest of the scan. Letters are compared in
 * lower case, and a typographic apostrophe matches a plain one.
 */
final class WordSet {
    /** 32 KB of filter bits, small enough to stay in a core's cache while the table of words does not. */
    private static final int FILTER_BITS = 1 << 18;

    private final String[] table;
    private final int mask;
    /** Two bits per word: a word whose bits are not both set is not in the set, known without touching the table. */
    private final long[] filter = new long[FILTER_BITS / 64];

    WordSet(Set<String> words) {
        int capacity = Integer.highestOneBit(Math.max(4, words.size() * 3)) << 1;
        table = new String[capacity];
        mask = capacity - 1;
        for (String word : words) {
            int hash = hash(word, 0, word.length(), -1);
            int slot = hash & mask;
            while (table[slot] != null) {
                slot = (slot + 1) & mask;
            }
            table[slot] = word;
            setBit(hash & (FILTER_BITS - 1));
            setBit(second(hash));
        }
    }

    private void setBit(int bit) {
        filter[bit >>> 6] |= 1L << bit;
    }

    private boolean bit(int bit) {
        return (filter[bit >>> 6] & (1L << bit)) != 0;
    }

    private static int second(int hash) {
        return (hash * 0x9E3779B9 >>> 14) & (FILTER_BITS - 1);
    }

    boolean contains(String word) {
        return contains(word, 0, word.length(), -1);
    }

    /** Whether the words hold {@code text[start, end)} in lower case. */
    boolean contains(CharSequence text, int start, int end) {
        return contains(text, start, end, -1);
    }

    /** Whether the words hold {@code text[start, end)} in lower case followed by {@code extra} (-1 for none). */
    boolean contains(CharSequence text, int start, int end, int extra) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + fold(text.charAt(i));
        }
        return containsHashed(extra >= 0 ? 31 * h + extra : h, text, start, end, extra);
    }

    /**
     * As {@link #contains(CharSequence, int, int)} for a caller that read the word already and summed its folded
     * characters as {@link String#hashCode} does ({@code h = 31 * h + c}).
     */
    boolean containsHashed(int sum, CharSequence text, int start, int end, int extra) {
        int hash = sum ^ (sum >>> 16);
        int length = end - start + (extra < 0 ? 0 : 1);
        if (!bit(hash & (FILTER_BITS - 1)) || !bit(second(hash))) {
            return false;
        }
        for (int slot = hash & mask; table[slot] != null; slot = (slot + 1) & mask) {
            String word = table[slot];
            if (word.length() == length && matches(word, text, start, end, extra)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String word, CharSequence text, int start, int end, int extra) {
        for (int i = start; i < end; i++) {
            if (word.charAt(i - start) != fold(text.charAt(i))) {
                return false;
            }
        }
        return extra < 0 || word.charAt(end - start) == extra;
    }

    private static int hash(CharSequence text, int start, int end, int extra) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + fold(text.charAt(i));
        }
        if (extra >= 0) {
            h = 31 * h + extra;
        }
        return h ^ (h >>> 16);
    }

    private static char fold(char c) {
        if (c < 128) {
            return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        }
        return c == '’' ? '\'' : Character.toLowerCase(c);
    }
}
