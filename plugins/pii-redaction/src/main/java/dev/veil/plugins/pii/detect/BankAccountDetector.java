package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds domestic bank account numbers ({@link PiiTypes#BANK_ACCOUNT}) outside IBANs: a UK sort code with its
 * account ({@code 68-06-39 66833997}) anywhere, as the pair has no other meaning; an account number right after a
 * word naming it ("account", "acct", "Kto.-Nr.", "Kontonummer", "rekeningnummer", "cuenta") or under such a label;
 * and, in records, a number in the field next to a valid US ABA routing number ({@code ...|587918908958|104988316|}).
 * Routing numbers and sort codes alone identify a bank, not a person, and are left alone.
 */
public final class BankAccountDetector implements Detector {
    private static final int WINDOW = 24;
    private static final int MIN_DIGITS = 6;
    private static final int MAX_DIGITS = 17;
    private static final int SORT_CODE_PAIR = 17;

    private static final Keywords ACCOUNT = new Keywords("account", "acct", "a/c", "kto", "konto", "rekening",
            "cuenta", "compte", "conto corrente", "numero di conto", "rachunek", "rachunku", "kontonr");

    @Override
    public void detect(String text, List<Finding> findings) {
        int done = 0;
        for (int start : DigitRuns.of(text)) {
            if (start < done || Chars.attachedBefore(text, start)) {
                continue;
            }
            int end = at(text, start);
            if (end > 0) {
                findings.add(new Finding(start, end, PiiTypes.BANK_ACCOUNT));
                done = end;
            }
        }
    }

    private static int at(String text, int start) {
        int pairEnd = sortCodeAndAccountEnd(text, start);
        if (pairEnd > 0) {
            return pairEnd;
        }
        int end = start;
        while (end < text.length() && Chars.isDigit(text.charAt(end))) {
            end++;
        }
        int digits = end - start;
        if (digits < MIN_DIGITS || digits > MAX_DIGITS || Chars.attachedAfter(text, end)) {
            return -1;
        }
        if (ACCOUNT.cue(text, start, end, WINDOW) || nextToRoutingNumber(text, start, end)) {
            return end;
        }
        return -1;
    }

    /** {@code dd-dd-dd dddddddd}, or with a slash between: {@code dd-dd-dd / dddddddd}. */
    private static int sortCodeAndAccountEnd(String text, int start) {
        if (isSortCodeAndAccount(text, start, 0)) {
            return start + SORT_CODE_PAIR;
        }
        return isSortCodeAndAccount(text, start, 2) ? start + SORT_CODE_PAIR + 2 : -1;
    }

    private static boolean isSortCodeAndAccount(String text, int start, int slash) {
        int end = start + SORT_CODE_PAIR + slash;
        if (end > text.length() || Chars.attachedAfter(text, end)) {
            return false;
        }
        for (int i = 0; i < SORT_CODE_PAIR + slash; i++) {
            char c = text.charAt(start + i);
            boolean ok = i == 2 || i == 5 ? c == '-' : i == 8 || i == 8 + slash ? c == ' '
                    : slash > 0 && i == 9 ? c == '/' : Chars.isDigit(c);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether the next or the previous field of a record ({@code |}, tab, {@code ;}, {@code ,}) is an ABA number. */
    private static boolean nextToRoutingNumber(String text, int start, int end) {
        if (end < text.length() && isFieldSeparator(text.charAt(end))) {
            int next = end + 1;
            int nextEnd = next;
            while (nextEnd < text.length() && Chars.isDigit(text.charAt(nextEnd))) {
                nextEnd++;
            }
            if (nextEnd - next == 9 && !Chars.isWord(charAt(text, nextEnd))
                    && IdNumbers.abaRouting(text.substring(next, nextEnd))) {
                return true;
            }
        }
        if (start > 10 && isFieldSeparator(text.charAt(start - 1))) {
            int previous = start - 10;
            return !Chars.isWord(text.charAt(previous - 1)) && IdNumbers.allDigits(text, previous, start - 1)
                    && IdNumbers.abaRouting(text.substring(previous, start - 1));
        }
        return false;
    }

    private static boolean isFieldSeparator(char c) {
        return c == '|' || c == '\t' || c == ';' || c == ',';
    }

    private static char charAt(String text, int i) {
        return i < text.length() ? text.charAt(i) : ' ';
    }
}
