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
            "date de naiss", "fecha nac", "f. nac");

    @Override
    public void detect(String text, List<Finding> findings) {
        int length = text.length();
        int nextDigit = -1;
        int i = 0;
        while (i < length) {
            char c = text.charAt(i);
            boolean wordStart = i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1));
            if (!wordStart || !(Chars.isDigit(c) || Chars.isUpper(c) || (c >= 'a' && c <= 'z'))) {
                i++;
                continue;
            }
            if (nextDigit < i) {
                nextDigit = Chars.nextDigit(text, i);
            }
            // Every date has a digit within a month name's reach of its start.
            if (nextDigit - i > MONTH_REACH) {
                i = nextDigit - MONTH_REACH;
                continue;
            }
            int end = Dates.end(text, i);
            boolean compact = false;
            if (end < 0 && Chars.isDigit(c)) {
                end = Dates.compactEnd(text, i);
                compact = true;
            }
            if (end < 0 || Chars.attachedAfter(text, end)) {
                i++;
                continue;
            }
            String label = Fields.labelOf(text, i, end);
            boolean birth = BIRTH.in(label) || (!compact && cuedBefore(text, i));
            if (birth) {
                findings.add(new Finding(i, end, PiiTypes.DATE_OF_BIRTH));
            }
            i = end;
        }
    }

    /**
     * Whether a birth word stands before the date on its line, or in the question on the line before when only a
     * short answer ({@code [09:15] caller: sure its ...}) leads to the date, with no other date between.
     */
    private static boolean cuedBefore(String text, int start) {
        int lineStart = text.lastIndexOf('\n', start - 1) + 1;
        int from = Math.max(lineStart, start - WINDOW);
        if (start - lineStart <= ANSWER_PREFIX && lineStart > 1 && text.charAt(lineStart - 2) == '?') {
            int previousLine = text.lastIndexOf('\n', lineStart - 2) + 1;
            from = Math.max(previousLine, start - WINDOW - ANSWER_PREFIX);
        }
        String before = text.substring(from, start).toLowerCase(Locale.ROOT);
        int cue = BIRTH.lastIn(before);
        return cue >= 0 && !holdsDate(before, cue);
    }

    private static boolean holdsDate(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if ((i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1))) && Dates.end(text, i) > 0) {
                return true;
            }
        }
        return false;
    }
}
