package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds Visa, Mastercard (including the 2221-2720 range), American Express, Discover, Diners Club, JCB and UnionPay
 * card numbers, plain or grouped by spaces or dashes in any grouping. Brand prefix, brand length and the Luhn check
 * must all agree, which rules out nearly all order numbers, timestamps and mistyped cards.
 */
public final class PaymentCardDetector implements Detector {
    private static final int MIN_DIGITS = 13;
    private static final int MAX_DIGITS = 19;

    @Override
    public void detect(String text, List<Finding> findings) {
        int length = text.length();
        int i = 0;
        // A card number starts a digit run; a run inside a number read already (after a space or dash) is skipped.
        for (int start : DigitRuns.of(text)) {
            if (start < i) {
                continue;
            }
            i = start;
            int digits = 0;
            int end = i;
            while (i < length) {
                char c = text.charAt(i);
                if (Chars.isDigit(c)) {
                    digits++;
                    i++;
                    end = i;
                } else if ((c == ' ' || c == '-') && i + 1 < length && Chars.isDigit(text.charAt(i + 1))) {
                    i++;
                } else {
                    break;
                }
            }
            i = end;
            if (digits >= MIN_DIGITS && digits <= MAX_DIGITS && isCard(text, start, end, digits)) {
                findings.add(new Finding(start, end, PiiTypes.CREDIT_CARD));
            }
        }
    }

    private static boolean isCard(String text, int start, int end, int digits) {
        if (Chars.attachedBefore(text, start) || Chars.attachedAfter(text, end)
                || (start > 0 && text.charAt(start - 1) == '+') || Ibans.continuesIbanShape(text, start)) {
            return false;
        }
        return brandAccepts(leadingDigits(text, start, 6), digits) && Checksums.luhn(text, start, end);
    }

    /** The first {@code count} digits of the run as a number, skipping separators. */
    private static int leadingDigits(String text, int start, int count) {
        int value = 0;
        for (int i = start; count > 0; i++) {
            char c = text.charAt(i);
            if (Chars.isDigit(c)) {
                value = value * 10 + (c - '0');
                count--;
            }
        }
        return value;
    }

    static boolean brandAccepts(int prefix6, int digits) {
        int prefix2 = prefix6 / 10_000;
        int prefix3 = prefix6 / 1_000;
        int prefix4 = prefix6 / 100;
        if (prefix6 / 100_000 == 4) {
            return digits == 13 || digits == 16 || digits == 19;
        }
        if ((prefix2 >= 51 && prefix2 <= 55) || (prefix4 >= 2221 && prefix4 <= 2720)) {
            return digits == 16;
        }
        if (prefix2 == 34 || prefix2 == 37) {
            return digits == 15;
        }
        if ((prefix3 >= 300 && prefix3 <= 305) || prefix2 == 36 || prefix2 == 38 || prefix2 == 39 || prefix3 == 309) {
            return digits >= 14 && digits <= 19;
        }
        if (prefix4 >= 3528 && prefix4 <= 3589) {
            return digits >= 16;
        }
        boolean discover = prefix4 == 6011 || prefix2 == 65 || (prefix3 >= 644 && prefix3 <= 649);
        boolean unionPay = prefix2 == 62 || prefix2 == 81;
        return (discover || unionPay) && digits >= 16;
    }
}
