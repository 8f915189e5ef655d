package dev.veil.plugins.pii.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Words that say what a nearby value is ({@code DOB}, {@code Steuer-ID}, {@code account}), matched in lower case at
 * the start of a word, so that {@code nhs} matches "NHS number" and "nhs-number" but {@code dob} not "adobe".
 */
final class Keywords {
    /**
     * The words by their first character, so that a position of a text is compared only with the words it starts:
     * by array for ASCII initials, by map for the few others ("адрес", "地址").
     */
    private final String[][] byAsciiInitial = new String[128][];
    private final Map<Character, String[]> byOtherInitial;

    Keywords(String... words) {
        Map<Character, List<String>> grouped = new HashMap<>();
        for (String word : words) {
            grouped.computeIfAbsent(word.charAt(0), initial -> new ArrayList<>()).add(word);
        }
        Map<Character, String[]> others = new HashMap<>();
        grouped.forEach((initial, list) -> {
            if (initial < 128) {
                byAsciiInitial[initial] = list.toArray(String[]::new);
            } else {
                others.put(initial, list.toArray(String[]::new));
            }
        });
        this.byOtherInitial = Map.copyOf(others);
    }

    /** Whether {@code lowerCase} holds one of the words at the start of a word. */
    boolean in(String lowerCase) {
        if (lowerCase == null) {
            return false;
        }
        for (int at = 0; at < lowerCase.length(); at++) {
            if (startsOne(lowerCase, at)) {
                return true;
            }
        }
        return false;
    }

    /** Where the last of the words starts in {@code lowerCase} at the start of a word, or -1. */
    int lastIn(String lowerCase) {
        for (int at = lowerCase.length() - 1; at >= 0; at--) {
            if (startsOne(lowerCase, at)) {
                return at;
            }
        }
        return -1;
    }

    /**
     * Whether one of the words starts at {@code at}, itself the start of a word. The texts asked about are short (a
     * label, the few words before a value), and one read of them costs less than a search per word.
     */
    private boolean startsOne(String lowerCase, int at) {
        if (at > 0 && Chars.isLetter(lowerCase.charAt(at - 1))) {
            return false;
        }
        char initial = lowerCase.charAt(at);
        String[] words = initial < 128 ? byAsciiInitial[initial]
                : byOtherInitial.isEmpty() ? null : byOtherInitial.get(initial);
        if (words == null) {
            return false;
        }
        for (String word : words) {
            if (lowerCase.startsWith(word, at)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The lower-case text before {@code start} on its line, at most {@code max} characters: where a label such as
     * "NHS number" or "routing 024859208 / account" is written before its value.
     */
    static String before(String text, int start, int max) {
        int from = start;
        while (from > 0 && start - from < max && text.charAt(from - 1) != '\n') {
            from--;
        }
        return text.substring(from, start).toLowerCase(Locale.ROOT);
    }

    /**
     * As {@link #cue}, or the words stand in a question on the line before and the value answers it on a line
     * that starts with little else: "...your mobile number?" / "client : 0766551818".
     */
    boolean cueOrQuestion(String text, int start, int end, int window) {
        return cue(text, start, end, window) || in(question(text, start));
    }

    private static final int ANSWER_PREFIX = 64;

    /** The question on the line before {@code start} when its own line leads to it with a short prefix, or null. */
    static String question(String text, int start) {
        int lineStart = Chars.lineStart(text, start, start - ANSWER_PREFIX - 1);
        if (lineStart < 2 || start - lineStart > ANSWER_PREFIX) {
            return null;
        }
        int questionEnd = lineStart - 1;
        while (questionEnd > 0 && Character.isWhitespace(text.charAt(questionEnd - 1))) {
            questionEnd--;
        }
        if (questionEnd == 0 || text.charAt(questionEnd - 1) != '?') {
            return null;
        }
        return text.substring(Chars.lineStart(text, questionEnd, questionEnd - ANSWER_PREFIX * 2), questionEnd)
                .toLowerCase(Locale.ROOT);
    }

    /** Whether the words stand right before {@code start} or label the value that holds {@code [start, end)}. */
    boolean cue(String text, int start, int end, int window) {
        return in(before(text, start, window)) || in(Fields.labelOf(text, start, end));
    }
}
