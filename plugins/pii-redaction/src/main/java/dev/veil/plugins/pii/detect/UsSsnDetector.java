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
            "ss no");

    @Override
    public void detect(String text, List<Finding> findings) {
        undivided(text, findings);
        int last = text.length() - LENGTH;
        int i = 0;
        while (i <= last) {
            char separator = text.charAt(i + 3);
            if ((separator != '-' && separator != ' ') || text.charAt(i + 6) != separator || !digitsAt(text, i)) {
                i++;
                continue;
            }
            if (!Chars.attachedBefore(text, i) && !Chars.attachedAfter(text, i + LENGTH) && issuable(text, i)) {
                findings.add(new Finding(i, i + LENGTH, PiiTypes.US_SSN));
                i += LENGTH;
            } else {
                i++;
            }
        }
    }

    /** Nine undivided digits where a word or label says SSN, issuable like the divided ones. */
    private static void undivided(String text, List<Finding> findings) {
        int i = 0;
        while (i < text.length()) {
            if (!Chars.isDigit(text.charAt(i)) || Chars.attachedBefore(text, i)) {
                i++;
                continue;
            }
            int end = i;
            while (end < text.length() && Chars.isDigit(text.charAt(end))) {
                end++;
            }
            if (end - i == UNDIVIDED && !Chars.attachedAfter(text, end)
                    && issuable(text.substring(i, i + 3) + "-" + text.substring(i + 3, i + 5) + "-"
                            + text.substring(i + 5, end), 0)
                    && SSN.cue(text, i, end, WINDOW)) {
                findings.add(new Finding(i, end, PiiTypes.US_SSN));
            }
            i = end;
        }
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
