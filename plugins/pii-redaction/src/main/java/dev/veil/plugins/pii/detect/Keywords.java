package dev.veil.plugins.pii.detect;

import java.util.List;
import java.util.Locale;

/**
 * Words that say what a nearby value is ({@code DOB}, {@code Steuer-ID}, {@code account}), matched in lower case at
 * the start of a word, so that {@code nhs} matches "NHS number" and "nhs-number" but {@code dob} not "adobe".
 */
final class Keywords {
    private final List<String> words;

    Keywords(String... words) {
        this.words = List.of(words);
    }

    /** Whether {@code lowerCase} holds one of the words at the start of a word. */
    boolean in(String lowerCase) {
        if (lowerCase == null) {
            return false;
        }
        for (String word : words) {
            for (int at = lowerCase.indexOf(word); at >= 0; at = lowerCase.indexOf(word, at + 1)) {
                if (at == 0 || !Chars.isLetter(lowerCase.charAt(at - 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Where the last of the words starts in {@code lowerCase} at the start of a word, or -1. */
    int lastIn(String lowerCase) {
        int last = -1;
        for (String word : words) {
            for (int at = lowerCase.lastIndexOf(word); at >= 0; at = lowerCase.lastIndexOf(word, at - 1)) {
                if (at == 0 || !Chars.isLetter(lowerCase.charAt(at - 1))) {
                    last = Math.max(last, at);
                    break;
                }
            }
        }
        return last;
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
        int lineStart = text.lastIndexOf('\n', start - 1) + 1;
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
        int questionStart = text.lastIndexOf('\n', questionEnd - 1) + 1;
        return text.substring(Math.max(questionStart, questionEnd - ANSWER_PREFIX * 2), questionEnd)
                .toLowerCase(Locale.ROOT);
    }

    /** Whether the words stand right before {@code start} or label the value that holds {@code [start, end)}. */
    boolean cue(String text, int start, int end, int window) {
        return in(before(text, start, window)) || in(Fields.labelOf(text, start, end));
    }
}
