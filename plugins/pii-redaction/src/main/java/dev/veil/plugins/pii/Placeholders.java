package dev.veil.plugins.pii;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The placeholders of one request and their original values: {@code <EMAIL_1>} → the address it stands for. Lives
 * only in memory for the duration of the exchange; it is the one thing that can undo pseudonymization, so it is never
 * logged, cached or written anywhere.
 */
final class Placeholders {
    static final Placeholders NONE = new Placeholders(Map.of(), 0);

    private final Map<String, String> originals;
    /** The placeholders in order, so that those starting with a given text are found by one binary search. */
    private final String[] sorted;
    private final int maxLength;

    Placeholders(Map<String, String> originals, int maxLength) {
        this.originals = Map.copyOf(originals);
        this.sorted = originals.keySet().toArray(String[]::new);
        Arrays.sort(sorted);
        this.maxLength = maxLength;
    }

    /** Placeholder → the value it stands for. */
    Map<String, String> originals() {
        return originals;
    }

    /** These placeholders without {@code removed}: values that are no longer to be put back. */
    Placeholders without(Set<String> removed) {
        Map<String, String> kept = new HashMap<>(originals);
        kept.keySet().removeAll(removed);
        return kept.isEmpty() ? NONE : new Placeholders(kept, maxLength);
    }

    boolean isEmpty() {
        return originals.isEmpty();
    }

    /** The longest placeholder, which bounds how much of a stream may ever be held back. */
    int maxLength() {
        return maxLength;
    }

    /**
     * {@code text} with every placeholder of this request replaced by its original value; the same instance when it
     * holds none. One pass over the text: the {@code >} found after one {@code <} is also the first after every
     * further {@code <} before it, so a run of {@code <} is not searched once per character.
     *
     * @param json whether {@code text} is JSON (tool-call arguments), so that values are written JSON-encoded
     */
    String restore(String text, boolean json) {
        int open = text.indexOf('<');
        if (open < 0 || originals.isEmpty()) {
            return text;
        }
        StringBuilder out = null;
        int copied = 0;
        int close = -1;
        while (open >= 0) {
            if (close < open) {
                close = text.indexOf('>', open + 1);
                if (close < 0) {
                    break;
                }
            }
            if (close - open + 1 <= maxLength) {
                String original = originals.get(text.substring(open, close + 1));
                if (original != null) {
                    if (out == null) {
                        out = new StringBuilder(text.length() + 32);
                    }
                    out.append(text, copied, open).append(json ? JsonText.encode(original) : original);
                    copied = close + 1;
                    open = text.indexOf('<', copied);
                    continue;
                }
            }
            open = text.indexOf('<', open + 1);
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, text.length()).toString();
    }

    /**
     * Where the tail of {@code text} that could still grow into a placeholder begins, or {@code text.length()} when
     * no tail could: a stream holds back exactly this much, never more.
     */
    int pendingFrom(String text) {
        int open = text.lastIndexOf('<');
        if (open < 0 || text.length() - open >= maxLength || text.indexOf('>', open) >= 0) {
            return text.length();
        }
        String tail = text.substring(open);
        int first = Arrays.binarySearch(sorted, tail);
        int candidate = first >= 0 ? first : -first - 1;
        return candidate < sorted.length && sorted[candidate].startsWith(tail) ? open : text.length();
    }
}
