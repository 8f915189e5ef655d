package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds e-mail addresses. Scans only around {@code @}, so text without one costs a single {@code indexOf}; the span
 * is trimmed to what a mail server would accept, so a sentence's final period is never part of it.
 */
public final class EmailDetector implements Detector {
    private static final int MAX_LOCAL = 64;
    private static final int MAX_DOMAIN = 253;

    @Override
    public void detect(String text, List<Finding> findings) {
        int at = text.indexOf('@');
        int scannedTo = 0;
        while (at >= 0) {
            int start = at;
            while (start > scannedTo && at - start < MAX_LOCAL && isLocalChar(text.charAt(start - 1))) {
                start--;
            }
            while (start < at && text.charAt(start) == '.') {
                start++;
            }
            int end = at + 1;
            while (end < text.length() && end - at <= MAX_DOMAIN && isDomainChar(text.charAt(end))) {
                end++;
            }
            while (end > at + 1 && (text.charAt(end - 1) == '.' || text.charAt(end - 1) == '-')) {
                end--;
            }
            if (start < at && text.charAt(at - 1) != '.' && validDomain(text, at + 1, end)) {
                findings.add(new Finding(start, end, PiiTypes.EMAIL));
                scannedTo = end;
            }
            at = text.indexOf('@', Math.max(at + 1, scannedTo));
        }
    }

    private static boolean isLocalChar(char c) {
        if (c < 128) {
            return Chars.isAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
        }
        return Chars.isLetterOrDigit(c);
    }

    private static boolean isDomainChar(char c) {
        if (c < 128) {
            return Chars.isAsciiAlnum(c) || c == '.' || c == '-';
        }
        return Chars.isLetterOrDigit(c);
    }

    /** At least two labels, none empty or hyphen-edged, and a top-level label of two or more letters. */
    private static boolean validDomain(String text, int start, int end) {
        int labelStart = start;
        int labels = 0;
        for (int i = start; i <= end; i++) {
            if (i < end && text.charAt(i) != '.') {
                continue;
            }
            if (i == labelStart || text.charAt(labelStart) == '-' || text.charAt(i - 1) == '-') {
                return false;
            }
            labels++;
            if (i == end) {
                if (labels < 2 || i - labelStart < 2) {
                    return false;
                }
                for (int j = labelStart; j < i; j++) {
                    if (!Chars.isLetter(text.charAt(j))) {
                        return false;
                    }
                }
            }
            labelStart = i + 1;
        }
        return true;
    }
}
