package dev.veil.plugins.pii.detect;

import java.util.List;
import java.util.Locale;

/**
 * Finds birth dates ({@link PiiTypes#DATE_OF_BIRTH}): a date (see {@link Dates}) that a word before it calls one —
 * "born", "DOB", "date of birth", "geb.", "né le", "nato il", "fecha de nacimiento", "geboortedatum", "data
 * urodzenia" — or that stands under such a label, key or column ({@code "dob":}, {@code | DOB |}, HL7
 * {@code PID-7}). Other dates (of an order, a visit, a release) are left alone. The word may stand on the line
 * before when the date answers it ("...and your date of birth?" / "15/11/1976"), but never across another date.
 */
public final class DateOfBirthDetector implements Detector {
    private static final int WINDOW = 48;
    private static final int ANSWER_PREFIX = 64;
    private static final int MONTH_REACH = 12;
    private static final Keywords BIRTH = new Keywords("born", "birth", "dob", "d.o.b", "geb.", "geb ", "geboren",
            "geburt", "né le", "née le", "né(e)", "né ", "née ", "naissance", "nato ", "nata ", "nato il", "nata il",
            "nascita", "nacimiento", "nacido", "nacida", "geboortedatum", "geboren op", "urodzenia", "urodzony",
            "urodzona", "födelsedatum", "född", "fødselsdato", "født", "syntymäaika", "data de nascimento",
            "date de naiss", "fecha nac", "f. nac", "дата рождения", "родился", "родилась", "дата народження",
            "γέννησης", "γεννήθηκε", "出生日期", "出生", "تاريخ الميلاد", "مواليد");
    /** Words right after a date that make it a birth date: "Ich bin am 4. November 1950 geboren". */
    private static final List<String> BIRTH_AFTER = List.of("geboren", "born", "né ", "née", "nato ", "nata ",
            "nacido", "nacida", "urodzony", "urodzona", "född", "født");
    private static final int AFTER_REACH = 12;

    /** How a request for a birth date ends when it is no question: "please confirm your date of birth". */
    private static final List<String> BIRTH_REQUEST_ENDS = List.of("birth", "dob", "d.o.b", "birthday", "birthdate",
            "geburtsdatum", "naissance", "nacimiento", "nascita", "geboortedatum", "urodzenia", "födelsedatum",
            "fødselsdato");

    @Override
    public void detect(String text, List<Finding> findings) {
        int done = 0;
        // Every date holds a digit run that starts a word, and starts there or at a month name just before it.
        for (int digits : DigitRuns.of(text)) {
            // A date right after a Han character still starts a word: "出生日期1972-07-26".
            if (digits < done || (digits > 0 && Chars.isLetterOrDigit(text.charAt(digits - 1))
                    && !Character.isIdeographic(text.charAt(digits - 1)))) {
                continue;
            }
            int monthName = monthNameBefore(text, digits);
            int end = monthName >= done ? at(text, monthName, false, findings) : -1;
            if (end < 0) {
                end = at(text, digits, true, findings);
            }
            if (end > 0) {
                done = end;
            }
        }
    }

    /** Reports the date starting at {@code start} if it is a birth date; where any date there ends, or -1. */
    private static int at(String text, int start, boolean digit, List<Finding> findings) {
        if (start < 0) {
            return -1;
        }
        int end = Dates.end(text, start);
        boolean compact = false;
        if (end < 0 && digit) {
            end = Dates.compactEnd(text, start);
            compact = true;
        }
        if (end < 0 || Chars.attachedAfter(text, end)) {
            return -1;
        }
        String label = Fields.labelOf(text, start, end);
        if (BIRTH.in(label) || (!compact && (cuedBefore(text, start) || cuedAfter(text, end)))) {
            findings.add(new Finding(start, end, PiiTypes.DATE_OF_BIRTH));
        }
        return end;
    }

    /** The start of a word within a month name's reach before {@code digits} ("January 17"), or -1. */
    private static int monthNameBefore(String text, int digits) {
        int i = digits;
        while (i > 0 && (text.charAt(i - 1) == ' ' || text.charAt(i - 1) == '.')) {
            i--;
        }
        int wordEnd = i;
        while (i > 0 && Chars.isLetter(text.charAt(i - 1))) {
            i--;
        }
        return wordEnd > i && digits - i <= MONTH_REACH ? i : -1;
    }

    /**
     * Whether a birth word stands before the date on its line, or in the question on the line before when only a
     * short answer ({@code [09:15] caller: sure its ...}) leads to the date, with no other date between.
     */
    private static boolean cuedBefore(String text, int start) {
        int lineStart = Chars.lineStart(text, start, start - ANSWER_PREFIX - 1);
        int from = Math.max(lineStart, start - WINDOW);
        if (start - lineStart <= ANSWER_PREFIX && lineStart > 1
                && (text.charAt(lineStart - 2) == '?' || asksForBirthDate(text, lineStart - 1))) {
            from = Chars.lineStart(text, lineStart - 1, start - WINDOW - ANSWER_PREFIX);
        }
        String before = text.substring(from, start).toLowerCase(Locale.ROOT);
        int cue = BIRTH.lastIn(before);
        return cue >= 0 && !holdsDate(before, cue);
    }

    /** Whether a birth word follows the date at once: "am 24.01.1983 geboren", "1950 born in Leeds". */
    private static boolean cuedAfter(String text, int end) {
        int to = Math.min(text.length(), end + AFTER_REACH);
        int i = end;
        while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == ',')) {
            i++;
        }
        String after = text.substring(i, to).toLowerCase(Locale.ROOT);
        for (String word : BIRTH_AFTER) {
            if (after.startsWith(word)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the line ending at {@code lineEnd} ends with a birth word: "please confirm your date of birth". */
    private static boolean asksForBirthDate(String text, int lineEnd) {
        int end = lineEnd;
        while (end > 0 && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == '\r' || text.charAt(end - 1) == '.'
                || text.charAt(end - 1) == ':')) {
            end--;
        }
        String tail = text.substring(Math.max(0, end - 16), end).toLowerCase(Locale.ROOT);
        for (String ending : BIRTH_REQUEST_ENDS) {
            if (tail.endsWith(ending)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holdsDate(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char before = i == 0 ? ' ' : text.charAt(i - 1);
            if ((!Chars.isLetterOrDigit(before) || Character.isIdeographic(before)) && Dates.end(text, i) > 0) {
                return true;
            }
        }
        return false;
    }
}
