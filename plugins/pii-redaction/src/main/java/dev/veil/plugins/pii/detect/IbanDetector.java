package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds IBANs, compact or grouped by four with single spaces. The country's registered length and the mod-97 check
 * must both hold, so a mistyped IBAN, which a bank would reject anyway, is left in the text.
 */
public final class IbanDetector implements Detector {
    @Override
    public void detect(String text, List<Finding> findings) {
        // An IBAN's check digits start a digit run two characters in, after its country code.
        int done = 0;
        for (int digits : DigitRuns.of(text)) {
            int start = digits - 2;
            if (start < done || !Ibans.headAt(text, start) || (start > 0 && Chars.isWord(text.charAt(start - 1)))) {
                continue;
            }
            int end = end(text, start);
            if (end > 0 && Checksums.ibanMod97(text, start, end)) {
                findings.add(new Finding(start, end, PiiTypes.IBAN));
                done = end;
            }
        }
    }

    /** The end of the IBAN starting at {@code start} if it has its country's length and a clean edge, else -1. */
    private static int end(String text, int start) {
        int length = Ibans.length(text, start);
        if (length == 0) {
            return -1;
        }
        boolean grouped = start + 4 < text.length() && text.charAt(start + 4) == ' ';
        int position = start;
        for (int counted = 0; counted < length; counted++) {
            if (grouped && counted > 0 && counted % 4 == 0) {
                if (position >= text.length() || text.charAt(position) != ' ') {
                    return -1;
                }
                position++;
            }
            if (position >= text.length()) {
                return -1;
            }
            char c = text.charAt(position);
            if (!Chars.isUpper(c) && !Chars.isDigit(c)) {
                return -1;
            }
            position++;
        }
        if (position < text.length() && Chars.isWord(text.charAt(position))) {
            return -1;
        }
        return position;
    }
}
