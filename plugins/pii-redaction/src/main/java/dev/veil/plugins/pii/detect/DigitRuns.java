package dev.veil.plugins.pii.detect;

import java.util.Arrays;

/**
 * Where the runs of digits of a text start. Identifiers, account numbers and record numbers all hold digits, so the
 * detectors of those read only around these places instead of each reading the whole text; the detectors of one
 * text share the result, kept for the last text seen on each thread.
 */
final class DigitRuns {
    private static final ThreadLocal<DigitRuns> LAST = new ThreadLocal<>();

    private final String text;
    private final int[] starts;

    private DigitRuns(String text, int[] starts) {
        this.text = text;
        this.starts = starts;
    }

    /** The index of the first digit of each maximal run of ASCII digits, in order. */
    static int[] of(String text) {
        DigitRuns last = LAST.get();
        if (last != null && last.text == text) {
            return last.starts;
        }
        int[] starts = new int[16];
        int count = 0;
        boolean inRun = false;
        for (int i = 0; i < text.length(); i++) {
            boolean digit = Chars.isDigit(text.charAt(i));
            if (digit && !inRun) {
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i;
            }
            inRun = digit;
        }
        DigitRuns read = new DigitRuns(text, Arrays.copyOf(starts, count));
        LAST.set(read);
        return read.starts;
    }

    /** The start of the word of ASCII letters and digits that holds {@code i}. */
    static int wordStart(String text, int i) {
        int start = i;
        while (start > 0 && Chars.isAsciiAlnum(text.charAt(start - 1))) {
            start--;
        }
        return start;
    }
}
