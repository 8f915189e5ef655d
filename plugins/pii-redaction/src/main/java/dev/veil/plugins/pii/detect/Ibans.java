package dev.veil.plugins.pii.detect;

/** IBAN shapes: the registry's length per country, and the grouped-by-four look other detectors must not cut into. */
final class Ibans {
    /** Index {@code (first - 'A') * 26 + (second - 'A')}; zero where the country has no IBAN. */
    private static final byte[] LENGTHS = new byte[26 * 26];

    static {
        String registry = "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 "
                + "DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 "
                + "IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 "
                + "MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 "
                + "SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30";
        for (String entry : registry.split(" ")) {
            LENGTHS[index(entry.charAt(0), entry.charAt(1))] = Byte.parseByte(entry.substring(2));
        }
    }

    private Ibans() {
    }

    private static int index(char first, char second) {
        return (first - 'A') * 26 + (second - 'A');
    }

    /** The IBAN length of the country whose code starts at {@code start}, or 0 when it has none. */
    static int length(String text, int start) {
        return LENGTHS[index(text.charAt(start), text.charAt(start + 1))];
    }

    /** Whether {@code text[start]} begins a country code followed by two check digits. */
    static boolean headAt(String text, int start) {
        return start + 4 <= text.length() && Chars.isUpper(text.charAt(start)) && Chars.isUpper(text.charAt(start + 1))
                && Chars.isDigit(text.charAt(start + 2)) && Chars.isDigit(text.charAt(start + 3));
    }

    /**
     * Whether the run starting at {@code start} continues an IBAN grouped by four, as {@code 6619} does in
     * {@code GB12 BPMW 6619 ...}: space-separated four-character groups back to a country code and check digits.
     */
    static boolean continuesIbanShape(String text, int start) {
        int position = start;
        for (int groups = 0; groups < 8; groups++) {
            int groupStart = position - 5;
            if (groupStart < 0 || text.charAt(position - 1) != ' ') {
                return false;
            }
            for (int i = groupStart; i < position - 1; i++) {
                char c = text.charAt(i);
                if (!Chars.isUpper(c) && !Chars.isDigit(c)) {
                    return false;
                }
            }
            if (headAt(text, groupStart) && (groupStart == 0 || !Chars.isWord(text.charAt(groupStart - 1)))) {
                return true;
            }
            position = groupStart;
        }
        return false;
    }
}
