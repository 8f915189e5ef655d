package dev.veil.plugins.pii.detect;

/** Check digits that tell a real card or account number from a random run of digits. */
final class Checksums {
    private Checksums() {
    }

    /** Luhn over the digits in {@code text[start, end)}, skipping separators. */
    static boolean luhn(String text, int start, int end) {
        int sum = 0;
        boolean doubled = false;
        for (int i = end - 1; i >= start; i--) {
            char c = text.charAt(i);
            if (!Chars.isDigit(c)) {
                continue;
            }
            int digit = c - '0';
            if (doubled) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }

    /**
     * ISO 13616 mod-97 over the IBAN in {@code text[start, end)}, skipping spaces: the first four characters move to
     * the end, letters count as 10 to 35, and the remainder must be 1.
     */
    static boolean ibanMod97(String text, int start, int end) {
        int remainder = 0;
        int counted = 0;
        int headEnd = start;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                continue;
            }
            if (counted < 4) {
                counted++;
                headEnd = i + 1;
                continue;
            }
            remainder = mod97Step(remainder, c);
        }
        for (int i = start; i < headEnd; i++) {
            remainder = mod97Step(remainder, text.charAt(i));
        }
        return remainder == 1;
    }

    private static int mod97Step(int remainder, char c) {
        if (Chars.isDigit(c)) {
            return (remainder * 10 + (c - '0')) % 97;
        }
        return (remainder * 100 + (c - 'A' + 10)) % 97;
    }
}
