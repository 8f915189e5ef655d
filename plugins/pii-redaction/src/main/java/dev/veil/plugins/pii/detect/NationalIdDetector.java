package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds national identity numbers ({@link PiiTypes#NATIONAL_ID}). Formats with a check character strong enough to
 * stand alone are found anywhere: French NIR with its key, Spanish DNI and NIE letters, Italian codice fiscale, UK
 * National Insurance numbers (by their allowed prefixes). Bare digit runs whose check digit one random number in ten
 * or eleven passes also need a word naming them before them or a label over them ({@code Steuer-ID}, {@code PESEL},
 * {@code BSN}, {@code personnummer}), and US passport numbers, which have no check digit, need "passport".
 */
public final class NationalIdDetector implements Detector {
    private static final int WINDOW = 40;
    private static final int MAX_GROUPED_DIGITS = 16;

    private static final Keywords STEUER_ID = new Keywords("steuer", "idnr", "identifikationsnummer", "tax id",
            "tax_id", "taxid", "tin");
    private static final Keywords PESEL = new Keywords("pesel");
    private static final Keywords BSN = new Keywords("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer",
            "citizen service number");
    private static final Keywords PERSONNUMMER = new Keywords("personnummer", "personnr", "person nr", "pnr",
            "personal identity number", "samordningsnummer", "personal number", "personal_number");
    private static final Keywords PASSPORT = new Keywords("passport", "pasaporte", "passeport", "reisepass",
            "passaporto", "paspoort", "paszport", "pass-nr", "passnummer");

    @Override
    public void detect(String text, List<Finding> findings) {
        int done = 0;
        for (int digits : DigitRuns.of(text)) {
            if (digits < done) {
                continue;
            }
            // Where an identifier holding these digits can start: the two letters of a NINO written in pairs
            // ("HX 14 66 07 B"), the letter of a dashed NIE ("Z-7662912-F"), its word; the first that reads wins.
            int end = from(text, spacedNinoStart(text, digits), done, findings);
            if (end < 0) {
                end = from(text, dashedNieStart(text, digits), done, findings);
            }
            if (end < 0) {
                end = from(text, DigitRuns.wordStart(text, digits), done, findings);
            }
            if (end > 0) {
                done = end;
            }
        }
    }

    /** {@link #at} where an identifier could start ({@code start} not before {@code done}); its end, or -1. */
    private static int from(String text, int start, int done, List<Finding> findings) {
        if (start < done || start < 0 || Chars.attachedBefore(text, start)) {
            return -1;
        }
        int end = at(text, start, findings);
        return end > start ? end : -1;
    }

    private static int spacedNinoStart(String text, int digits) {
        int start = digits - 3;
        return start >= 0 && text.charAt(digits - 1) == ' ' && Chars.isUpper(text.charAt(start))
                && Chars.isUpper(text.charAt(start + 1)) && (start == 0 || !Chars.isAsciiAlnum(text.charAt(start - 1)))
                ? start : -1;
    }

    private static int dashedNieStart(String text, int digits) {
        int start = digits - 2;
        return start >= 0 && text.charAt(digits - 1) == '-' && "XYZ".indexOf(text.charAt(start)) >= 0
                && (start == 0 || !Chars.isAsciiAlnum(text.charAt(start - 1))) ? start : -1;
    }

    /** Reports an identifier starting at {@code start}; where it ends, or -1 when none starts there. */
    private static int at(String text, int start, List<Finding> findings) {
        int end = start;
        while (end < text.length() && Chars.isAsciiAlnum(text.charAt(end))) {
            end++;
        }
        // Only tokens of 8 to 16 characters can be an identifier on their own; most digit runs are shorter.
        String token = end - start >= 8 && end - start <= 16 ? text.substring(start, end) : null;
        if (token != null && !Chars.attachedAfter(text, end) && compact(text, start, end, token)) {
            findings.add(new Finding(start, end, PiiTypes.NATIONAL_ID));
            return end;
        }
        int nieEnd = start + 11;
        if (nieEnd <= text.length() && "XYZ".indexOf(text.charAt(start)) >= 0 && text.charAt(start + 1) == '-'
                && text.charAt(start + 9) == '-' && !Chars.attachedAfter(text, nieEnd)
                && IdNumbers.nie(text.charAt(start) + text.substring(start + 2, start + 9) + text.charAt(start + 10))) {
            findings.add(new Finding(start, nieEnd, PiiTypes.NATIONAL_ID));
            return nieEnd;
        }
        int ninoEnd = spacedNino(text, start);
        if (ninoEnd > 0) {
            findings.add(new Finding(start, ninoEnd, PiiTypes.NATIONAL_ID));
            return ninoEnd;
        }
        if (!Chars.isDigit(text.charAt(start))) {
            return -1;
        }
        int groupedEnd = groupedDigitsEnd(text, start);
        if (groupedEnd > end && !Chars.attachedAfter(text, groupedEnd)
                && grouped(text, start, groupedEnd, IdNumbers.digitsIn(text, start, groupedEnd))) {
            findings.add(new Finding(start, groupedEnd, PiiTypes.NATIONAL_ID));
            return groupedEnd;
        }
        int dniEnd = separatedDniLetter(text, end);
        if (dniEnd > 0 && token != null && IdNumbers.dni(token + text.charAt(dniEnd - 1))) {
            findings.add(new Finding(start, dniEnd, PiiTypes.NATIONAL_ID));
            return dniEnd;
        }
        return end;
    }

    private static boolean compact(String text, int start, int end, String token) {
        boolean digits = IdNumbers.allDigits(token, 0, token.length());
        return switch (token.length()) {
            case 16 -> IdNumbers.codiceFiscale(token);
            case 15 -> digits && IdNumbers.nir(token);
            case 9 -> IdNumbers.dni(token) || IdNumbers.nie(token) || IdNumbers.nino(token)
                    || (digits && IdNumbers.bsn(token) && BSN.cue(text, start, end, WINDOW))
                    || (isPassportShape(token) && PASSPORT.cue(text, start, end, WINDOW));
            case 11 -> digits && ((IdNumbers.steuerId(token) && STEUER_ID.cue(text, start, end, WINDOW))
                    || (IdNumbers.pesel(token) && PESEL.cue(text, start, end, WINDOW)));
            case 10 -> digits && IdNumbers.personnummer(token) && PERSONNUMMER.cue(text, start, end, WINDOW);
            case 12 -> digits && IdNumbers.personnummer(token.substring(2))
                    && PERSONNUMMER.cue(text, start, end, WINDOW);
            case 8 -> Chars.isUpper(token.charAt(0)) && PASSPORT.cue(text, start, end, WINDOW)
                    && IdNumbers.allDigits(token, 1, 8);
            default -> false;
        };
    }

    /** A US passport number: nine digits, or a letter and eight digits (next-generation books). */
    private static boolean isPassportShape(String token) {
        return IdNumbers.allDigits(token, 0, 9) || (Chars.isUpper(token.charAt(0)) && IdNumbers.allDigits(token, 1, 9));
    }

    private static boolean grouped(String text, int start, int end, String digits) {
        return switch (digits.length()) {
            case 15 -> IdNumbers.nir(digits);
            case 11 -> (IdNumbers.steuerId(digits) && STEUER_ID.cue(text, start, end, WINDOW))
                    || (IdNumbers.pesel(digits) && PESEL.cue(text, start, end, WINDOW));
            case 9 -> IdNumbers.bsn(digits) && BSN.cue(text, start, end, WINDOW);
            case 10 -> personnummerShape(text, start, 6) && IdNumbers.personnummer(digits)
                    && PERSONNUMMER.cue(text, start, end, WINDOW);
            case 12 -> personnummerShape(text, start, 8) && IdNumbers.personnummer(digits.substring(2))
                    && PERSONNUMMER.cue(text, start, end, WINDOW);
            default -> false;
        };
    }

    /** {@code YYMMDD-NNNN}, or {@code +} for the over-hundreds, the separator after the date. */
    private static boolean personnummerShape(String text, int start, int dateDigits) {
        char separator = text.charAt(start + dateDigits);
        return separator == '-' || separator == '+';
    }

    /**
     * Digit groups joined by single spaces, dots, dashes or a {@code +}, as tax and social security numbers are
     * written ({@code 54 843 974 163}, {@code 5836.66.498}, {@code 1 63 07 26 729 299 03}). Returns where the last
     * group ends, or -1 past {@value #MAX_GROUPED_DIGITS} digits.
     */
    private static int groupedDigitsEnd(String text, int start) {
        int i = start;
        int end = start;
        int digits = 0;
        while (i < text.length() && digits <= MAX_GROUPED_DIGITS) {
            char c = text.charAt(i);
            if (Chars.isDigit(c)) {
                digits++;
                end = ++i;
            } else if ((c == ' ' || c == '.' || c == '-' || c == '+') && i + 1 < text.length()
                    && Chars.isDigit(text.charAt(i + 1)) && i > start && Chars.isDigit(text.charAt(i - 1))) {
                i++;
            } else {
                break;
            }
        }
        return digits > MAX_GROUPED_DIGITS ? -1 : end;
    }

    /** {@code HX 14 66 07 B}: a National Insurance number written in pairs. */
    private static int spacedNino(String text, int start) {
        int end = start + 13;
        if (end > text.length() || Chars.attachedAfter(text, end)) {
            return -1;
        }
        for (int i = start + 2; i < end; i += 3) {
            if (text.charAt(i) != ' ') {
                return -1;
            }
        }
        StringBuilder compact = new StringBuilder(9);
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            boolean space = i == start + 2 || i == start + 5 || i == start + 8 || i == start + 11;
            if (space != (c == ' ')) {
                return -1;
            }
            if (!space) {
                compact.append(c);
            }
        }
        return IdNumbers.nino(compact.toString()) ? end : -1;
    }

    /** {@code 83906179-V}: the DNI letter after a dash or space; where it ends, or -1. */
    private static int separatedDniLetter(String text, int digitsEnd) {
        int letter = digitsEnd + 1;
        if (letter >= text.length() || (text.charAt(digitsEnd) != '-' && text.charAt(digitsEnd) != ' ')
                || !Chars.isUpper(text.charAt(letter)) || Chars.attachedAfter(text, letter + 1)) {
            return -1;
        }
        return letter + 1;
    }
}
