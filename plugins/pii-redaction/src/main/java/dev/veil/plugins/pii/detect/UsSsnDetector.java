package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds US social security numbers written {@code AAA-GG-SSSS} or {@code AAA GG SSSS}. Undivided nine-digit runs are
 * taken only where a word or label before them says SSN: without the separators they are as likely any other
 * identifier. Numbers the SSA never issues (area 000,
 * 666 or 900-999, group 00, serial 0000) are placeholders, not personal data, and are not reported.
 */
public final class UsSsnDetector implements Detector {
    private static final int LENGTH = 11;

    private static final int UNDIVIDED = 9;
    private static final int WINDOW = 32;
    private static final Keywords SSN = new Keywords("ssn", "social security", "soc sec", "ss#", "ss #",
            "ss no", "tax_id", "tax id", "taxpayer id", "tin");

    @Override
    public void detect(String text, List<Finding> findings) {
        int last = text.length() - LENGTH;
        int done = 0;
        for (int i : DigitRuns.of(text)) {
            if (i < done || Chars.attachedBefore(text, i)) {
                continue;
            }
            if (i <= last && (text.charAt(i + 3) == '-' || text.charAt(i + 3) == ' ')
                    && text.charAt(i + 6) == text.charAt(i + 3) && digitsAt(text, i)
                    && !Chars.attachedAfter(text, i + LENGTH) && issuable(text, i)) {
                findings.add(new Finding(i, i + LENGTH, PiiTypes.US_SSN));
                done = i + LENGTH;
            } else if (undivided(text, i)) {
                findings.add(new Finding(i, i + UNDIVIDED, PiiTypes.US_SSN));
                done = i + UNDIVIDED;
            }
        }
    }

    /** Whether nine undivided digits start at {@code i} where a word or label says SSN, issuable like the others. */
    private static boolean undivided(String text, int i) {
        int end = i;
        while (end < text.length() && Chars.isDigit(text.charAt(end))) {
            end++;
        }
        return end - i == UNDIVIDED && !Chars.attachedAfter(text, end)
                && issuable(text.substring(i, i + 3) + "-" + text.substring(i + 3, i + 5) + "-"
                        + text.substring(i + 5, end), 0)
                && SSN.cue(text, i, end, WINDOW);
    }

    private static boolean digitsAt(String text, int start) {
        for (int i = 0; i < LENGTH; i++) {
            if (i != 3 && i != 6 && !Chars.isDigit(text.charAt(start + i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean issuable(String text, int start) {
        int area = number(text, start, 3);
        int group = number(text, start + 4, 2);
        int serial = number(text, start + 7, 4);
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
    }

    private static int number(String text, int start, int length) {
        int value = 0;
        for (int i = start; i < start + length; i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }
}
