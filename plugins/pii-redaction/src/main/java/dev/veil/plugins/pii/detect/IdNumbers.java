package dev.veil.plugins.pii.detect;

/**
 * The check digits and shapes of national, health and bank identifiers. Each method takes the identifier's
 * characters without separators.
 */
final class IdNumbers {
    private static final String DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
    private static final int[] CF_ODD = {1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10,
        22, 25, 24, 23};
    private static final String CF_MONTHS = "ABCDEHLMPRST";
    private static final String CF_DIGIT_LETTERS = "LMNPQRSTUV";
    private static final String MBI_EXCLUDED = "SLOIBZ";

    private IdNumbers() {
    }

    /** German tax id (Steuer-ID): 11 digits, no leading zero, ISO 7064 MOD 11,10 check digit. */
    static boolean steuerId(String digits) {
        if (digits.length() != 11 || digits.charAt(0) == '0') {
            return false;
        }
        int product = 10;
        for (int i = 0; i < 10; i++) {
            int sum = (digit(digits, i) + product) % 10;
            if (sum == 0) {
                sum = 10;
            }
            product = sum * 2 % 11;
        }
        int check = 11 - product;
        return (check == 10 ? 0 : check) == digit(digits, 10);
    }

    /** Polish PESEL: 11 digits, a birth date whose month also encodes the century, weighted check digit. */
    static boolean pesel(String digits) {
        if (digits.length() != 11) {
            return false;
        }
        int month = number(digits, 2, 4) % 20;
        int day = number(digits, 4, 6);
        if (month < 1 || month > 12 || day < 1 || day > 31) {
            return false;
        }
        int[] weights = {1, 3, 7, 9, 1, 3, 7, 9, 1, 3};
        int sum = 0;
        for (int i = 0; i < 10; i++) {
            sum += weights[i] * digit(digits, i);
        }
        return (10 - sum % 10) % 10 == digit(digits, 10);
    }

    /** French NIR (numéro de sécurité sociale) with its key: 13 digits, then 97 minus their remainder by 97. */
    static boolean nir(String digits) {
        if (digits.length() != 15 || "123478".indexOf(digits.charAt(0)) < 0) {
            return false;
        }
        int month = number(digits, 3, 5);
        if (month < 1 || (month > 12 && month < 20)) {
            return false;
        }
        long body = Long.parseLong(digits, 0, 13, 10);
        return 97 - body % 97 == number(digits, 13, 15);
    }

    /** Dutch BSN: 9 digits passing the eleven test. */
    static boolean bsn(String digits) {
        if (digits.length() != 9 || digits.startsWith("00")) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 8; i++) {
            sum += (9 - i) * digit(digits, i);
        }
        return (sum - digit(digits, 8)) % 11 == 0;
    }

    /** Spanish DNI: 8 digits and the letter their remainder by 23 selects. */
    static boolean dni(String value) {
        return value.length() == 9 && allDigits(value, 0, 8)
                && DNI_LETTERS.charAt((int) (Long.parseLong(value, 0, 8, 10) % 23)) == value.charAt(8);
    }

    /** Spanish NIE: X, Y or Z (standing for 0, 1, 2), 7 digits and the DNI letter of that number. */
    static boolean nie(String value) {
        if (value.length() != 9 || "XYZ".indexOf(value.charAt(0)) < 0 || !allDigits(value, 1, 8)) {
            return false;
        }
        long number = "XYZ".indexOf(value.charAt(0)) * 10_000_000L + Long.parseLong(value, 1, 8, 10);
        return DNI_LETTERS.charAt((int) (number % 23)) == value.charAt(8);
    }

    /** Italian codice fiscale: 16 characters in its fixed shape and the check letter of the first 15. */
    static boolean codiceFiscale(String value) {
        if (value.length() != 16) {
            return false;
        }
        for (int i = 0; i < 16; i++) {
            char c = value.charAt(i);
            boolean digitPosition = (i >= 6 && i <= 7) || (i >= 9 && i <= 10) || (i >= 12 && i <= 14);
            boolean ok = digitPosition ? Chars.isDigit(c) || CF_DIGIT_LETTERS.indexOf(c) >= 0 : Chars.isUpper(c);
            if (!ok || (i == 8 && CF_MONTHS.indexOf(c) < 0)) {
                return false;
            }
        }
        int sum = 0;
        for (int i = 0; i < 15; i++) {
            char c = value.charAt(i);
            int index = Chars.isDigit(c) ? c - '0' : c - 'A';
            sum += i % 2 == 0 ? CF_ODD[index] : index;
        }
        return value.charAt(15) == 'A' + sum % 26;
    }

    /** Swedish personnummer, 10 digits YYMMDDNNNC: a date (day plus 60 for a coordination number), Luhn. */
    static boolean personnummer(String digits) {
        if (digits.length() != 10) {
            return false;
        }
        int month = number(digits, 2, 4);
        int day = number(digits, 4, 6);
        day = day > 60 ? day - 60 : day;
        return month >= 1 && month <= 12 && day >= 1 && day <= 31 && Checksums.luhn(digits, 0, 10);
    }

    /** UK National Insurance number: two letters of the allowed prefixes, six digits, A to D. */
    static boolean nino(String value) {
        if (value.length() != 9 || !Chars.isUpper(value.charAt(0)) || !Chars.isUpper(value.charAt(1))
                || !allDigits(value, 2, 8) || "ABCD".indexOf(value.charAt(8)) < 0) {
            return false;
        }
        String prefix = value.substring(0, 2);
        return "DFIQUV".indexOf(value.charAt(0)) < 0 && "DFIOQUV".indexOf(value.charAt(1)) < 0
                && !prefix.equals("BG") && !prefix.equals("GB") && !prefix.equals("NK") && !prefix.equals("KN")
                && !prefix.equals("TN") && !prefix.equals("NT") && !prefix.equals("ZZ");
    }

    /** NHS number: 10 digits, modulus 11 check digit (a remainder giving 10 is never issued). */
    static boolean nhs(String digits) {
        if (digits.length() != 10) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            sum += (10 - i) * digit(digits, i);
        }
        int check = 11 - sum % 11;
        return check != 10 && (check == 11 ? 0 : check) == digit(digits, 9);
    }

    /**
     * German health insurance number (KVNR): a letter and 9 digits; the letter as two digits, then alternating weights
     * 1 and 2 with the digit sum of each product, give the last digit.
     */
    static boolean kvnr(String value) {
        if (value.length() != 10 || !Chars.isUpper(value.charAt(0)) || !allDigits(value, 1, 10)) {
            return false;
        }
        int letter = value.charAt(0) - 'A' + 1;
        String digits = (letter < 10 ? "0" : "") + letter + value.substring(1, 9);
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int product = digit(digits, i) * (i % 2 == 0 ? 1 : 2);
            sum += product / 10 + product % 10;
        }
        return sum % 10 == digit(value, 9);
    }

    /** US Medicare Beneficiary Identifier: 11 characters in its published shape, letters other than S L O I B Z. */
    static boolean mbi(String value) {
        if (value.length() != 11) {
            return false;
        }
        String shape = "CAPNAPNAANN";
        for (int i = 0; i < 11; i++) {
            char c = value.charAt(i);
            boolean letter = Chars.isUpper(c) && MBI_EXCLUDED.indexOf(c) < 0;
            boolean ok = switch (shape.charAt(i)) {
                case 'C' -> c >= '1' && c <= '9';
                case 'A' -> letter;
                case 'P' -> letter || Chars.isDigit(c);
                default -> Chars.isDigit(c);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** US ABA routing number: 9 digits, a Federal Reserve prefix, weights 3, 7, 1. */
    static boolean abaRouting(String digits) {
        if (digits.length() != 9) {
            return false;
        }
        int prefix = number(digits, 0, 2);
        if (!(prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix == 80)) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            sum += digit(digits, i) * (i % 3 == 0 ? 3 : i % 3 == 1 ? 7 : 1);
        }
        return sum % 10 == 0 && !digits.equals("000000000");
    }

    static boolean allDigits(String value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Chars.isDigit(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The digits of {@code text[start, end)} without the separators between them. */
    static String digitsIn(String text, int start, int end) {
        StringBuilder digits = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            if (Chars.isDigit(text.charAt(i))) {
                digits.append(text.charAt(i));
            }
        }
        return digits.toString();
    }

    private static int digit(String digits, int i) {
        return digits.charAt(i) - '0';
    }

    private static int number(String digits, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + digit(digits, i);
        }
        return value;
    }
}
