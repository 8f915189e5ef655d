package dev.veil.plugins.pii.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;

/**
 * Finds phone numbers in international ({@code +44 20 7946 0018}, {@code (+44) 20 7946 0018},
 * {@code 0044 20 7946 0018}) and national ({@code 020 7946 0018}, {@code (415) 555-2671}) formats, judged by
 * libphonenumber.
 *
 * <p>libphonenumber is far too slow to run over whole texts, so this detector first cuts out runs that look like a
 * written number (digit groups joined by one space, dash, dot or slash, an optional leading {@code +} and area code
 * in parentheses), throws away the shapes that are something else (dates, IPv4 addresses, SSNs, thousands-grouped
 * amounts, runs glued to letters as in order ids, UUIDs or IBANs, and anything too long to be a phone number such as
 * a card), and only then asks libphonenumber about what is left.
 *
 * <p>How much libphonenumber must vouch for a run depends on how strongly its shape says "phone number". A number
 * with a country code, an area code in parentheses, a NANP {@code 3-3-4} grouping or a trunk {@code 0} followed by
 * three or more groups needs only to have a possible length for its country: people write unassigned and fictional
 * numbers, and hiding them costs nothing. A weaker shape (two groups, or no trunk prefix) must be a valid number of
 * one of the configured regions, and an undivided run must also start with the trunk {@code 0}, because bare digit runs
 * are mostly ids and timestamps.
 */
public final class PhoneDetector implements Detector {
    /** The regions whose national formats are recognised when no region is configured. */
    public static final List<String> DEFAULT_REGIONS = List.of("US", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "JP",
            "AU", "CA");

    private static final int MIN_DIGITS = 8;
    private static final int MAX_INTERNATIONAL_DIGITS = 15;
    private static final int MAX_NATIONAL_DIGITS = 12;
    private static final int MAX_GROUPS = 8;
    private static final String UNKNOWN_REGION = "ZZ";
    private static final int NANP_CALLING_CODE = 1;
    private static final int NANP_WITH_PREFIX = 11;
    private static final int PROBE_CALLING_CODE = 49;
    private static final int MAX_NATIONAL_SIGNIFICANT = 17;
    private static final int CUE_WINDOW = 32;
    private static final Keywords PHONE_WORDS = new Keywords("tel", "phone", "mobile", "mobil", "cell", "call", "fax",
            "handy", "telefon", "téléphone", "telefono", "teléfono", "portable", "móvil", "movil", "cellulare", "gsm",
            "whatsapp", "ring", "reach", "contact", "rückruf", "anruf", "erreichbar", "appeler", "rappeler", "llamar",
            "chiamare", "bellen", "numer", "tlf", "puhelin", "τηλ", "телефон", "手机", "电话",
            "رقم الهاتف");

    /** Words that name a number as something other than a phone: "SKU 515-0206-59", "order 4411-2290-17". */
    private static final Keywords ID_WORDS = new Keywords("sku", "order", "invoice", "item", "part", "serial",
            "tracking", "ticket", "case", "ref", "reference", "batch", "lot", "article", "artikel", "policy", "claim",
            "pn", "nhs", "pesel", "bsn", "nir", "ssn", "steuer", "personnummer", "dni", "nie", "passport");
    private static final int ID_WINDOW = 16;

    private final PhoneNumberUtil phoneNumbers = PhoneNumberUtil.getInstance();
    /** One region per country calling code: validity is judged per calling code, so the others add only cost. */
    private final List<String> regions;
    /** The same without NANP, whose national numbers never start with 0, for candidates that do. */
    private final List<String> regionsForTrunkZero;
    /** Regions whose only national prefix is a plain {@code 0}, which {@link #quickParse} can strip itself. */
    private final Map<String, String> trunkPrefixes;
    /** The prefixes that dial abroad in each region ({@code 00}, Japan's {@code 010}, ...), which only parse reads. */
    private final Map<String, List<String>> internationalPrefixes;

    /** @param regions ISO 3166 region codes whose national number formats to recognise, most likely first */
    public PhoneDetector(List<String> regions) {
        Set<Integer> callingCodes = new LinkedHashSet<>();
        List<String> distinct = new ArrayList<>();
        for (String region : regions) {
            int callingCode = phoneNumbers.getCountryCodeForRegion(region);
            if (callingCode == 0) {
                throw new IllegalArgumentException("unknown phone region: " + region);
            }
            if (callingCodes.add(callingCode)) {
                distinct.add(region);
            }
        }
        this.regions = List.copyOf(distinct);
        Map<String, String> prefixes = new HashMap<>();
        Map<String, List<String>> dialOut = new HashMap<>();
        for (String region : distinct) {
            if ("0".equals(phoneNumbers.getNddPrefixForRegion(region, true))) {
                prefixes.put(region, "0");
            }
            dialOut.put(region, internationalPrefixes(region));
        }
        this.trunkPrefixes = Map.copyOf(prefixes);
        this.internationalPrefixes = Map.copyOf(dialOut);
        this.regionsForTrunkZero = distinct.stream()
                .filter(region -> phoneNumbers.getCountryCodeForRegion(region) != NANP_CALLING_CODE)
                .toList();
    }

    public PhoneDetector() {
        this(DEFAULT_REGIONS);
    }

    /** Where a run of digit groups starts and ends, and how its groups are laid out. */
    private static final class Run {
        int start;
        int end;
        boolean international;
        boolean parenthesised;
        int digits;
        int groupCount;
        final int[] groupLengths = new int[MAX_GROUPS];
        final int[] groupValues = new int[MAX_GROUPS];
        char separator;
        boolean mixedSeparators;
    }

    @Override
    public void detect(String text, List<Finding> findings) {
        detect(text, findings, () -> {
        });
    }

    /** {@code costlyCheck} is called for each candidate that gets as far as libphonenumber. */
    @Override
    public void detect(String text, List<Finding> findings, Runnable costlyCheck) {
        Run run = null;
        int length = text.length();
        Candidates candidates = new Candidates(text);
        int i = candidates.next(0);
        while (i < length) {
            if (run == null) {
                run = new Run();
            }
            int end = scan(text, i, run);
            if (end < 0) {
                i = candidates.next(i + 1);
                continue;
            }
            if (isPhone(text, run, costlyCheck)) {
                findings.add(new Finding(run.start, run.end, PiiTypes.PHONE));
            }
            i = candidates.next(end);
        }
    }

    /**
     * Where a number can start, in order: a digit, a {@code +} or a {@code (}. Found from the text's digit runs
     * (shared with the other detectors) and by {@link String#indexOf}, not by testing every character.
     */
    private static final class Candidates {
        private final String text;
        private final int[] digitRuns;
        private int run;
        private int plus = -1;
        private int parenthesis = -1;

        Candidates(String text) {
            this.text = text;
            this.digitRuns = DigitRuns.of(text);
        }

        /** The first position at or after {@code from} where a number can start, or the text's length. */
        int next(int from) {
            int length = text.length();
            if (from >= length) {
                return length;
            }
            if (plus < from && plus != length) {
                plus = indexOrLength('+', from);
            }
            if (parenthesis < from && parenthesis != length) {
                parenthesis = indexOrLength('(', from);
            }
            while (run < digitRuns.length && digitRuns[run] < from) {
                run++;
            }
            int digit = Chars.isDigit(text.charAt(from)) ? from : run < digitRuns.length ? digitRuns[run] : length;
            return Math.min(digit, Math.min(plus, parenthesis));
        }

        private int indexOrLength(char c, int from) {
            int at = text.indexOf(c, from);
            return at < 0 ? text.length() : at;
        }
    }

    /**
     * Reads the run of digit groups at {@code start} into {@code run}; returns where scanning may resume, or -1 when
     * no run starts here. A run too long for the group table is still consumed whole, so it is never cut into a
     * phone-sized piece.
     */
    private static int scan(String text, int start, Run run) {
        int length = text.length();
        run.start = start;
        run.international = false;
        run.parenthesised = false;
        run.digits = 0;
        run.groupCount = 0;
        run.separator = 0;
        run.mixedSeparators = false;
        int position = start;
        int lastEnd = -1;
        if (text.startsWith("(+", position)) {
            int close = position + 2;
            while (close < length && Chars.isDigit(text.charAt(close)) && close - position <= 5) {
                close++;
            }
            if (close == position + 2 || close + 2 >= length || text.charAt(close) != ')') {
                return -1;
            }
            run.international = true;
            addGroup(run, close - position - 2, number(text, position + 2, close));
            run.digits += close - position - 2;
            lastEnd = close + 1;
            position = text.charAt(close + 1) == ' ' ? close + 2 : close + 1;
            if (!Chars.isDigit(text.charAt(position))) {
                return lastEnd;
            }
        } else if (text.charAt(position) == '+') {
            run.international = true;
            position++;
            if (position >= length || !Chars.isDigit(text.charAt(position))) {
                return -1;
            }
        }
        while (position < length) {
            int groupDigits = 0;
            int groupValue = 0;
            if (text.charAt(position) == '(') {
                int close = position + 1;
                while (close < length && Chars.isDigit(text.charAt(close)) && close - position <= 5) {
                    close++;
                }
                if (close == position + 1 || close >= length || text.charAt(close) != ')') {
                    break;
                }
                boolean trunk = close == position + 2 && text.charAt(position + 1) == '0';
                if (!trunk || !run.international) {
                    run.parenthesised = true;
                    groupDigits = close - position - 1;
                    groupValue = number(text, position + 1, close);
                }
                position = close + 1;
                if (position + 1 < length && text.charAt(position) == ' ' && Chars.isDigit(text.charAt(position + 1))) {
                    if (groupDigits > 0) {
                        lastEnd = position;
                        addGroup(run, groupDigits, groupValue);
                        run.digits += groupDigits;
                    }
                    position++;
                    continue;
                }
            }
            int digitsStart = position;
            while (position < length && Chars.isDigit(text.charAt(position))) {
                position++;
            }
            groupDigits += position - digitsStart;
            if (groupDigits == 0) {
                break;
            }
            groupValue = groupValue * pow10(position - digitsStart) + number(text, digitsStart, position);
            addGroup(run, groupDigits, groupValue);
            run.digits += groupDigits;
            lastEnd = position;
            if (position + 1 >= length) {
                break;
            }
            char separator = text.charAt(position);
            char next = text.charAt(position + 1);
            boolean joins = separator == ' ' || separator == '-' || separator == '.' || separator == '/'
                    || separator == '\u00a0';
            if (!joins || (!Chars.isDigit(next) && next != '(')) {
                break;
            }
            if (run.separator != 0 && run.separator != separator) {
                run.mixedSeparators = true;
            }
            run.separator = separator;
            position++;
        }
        if (lastEnd < 0) {
            return -1;
        }
        run.end = lastEnd;
        return Math.max(lastEnd, start + 1);
    }

    private static void addGroup(Run run, int digits, int value) {
        if (run.groupCount < MAX_GROUPS) {
            run.groupLengths[run.groupCount] = digits;
            run.groupValues[run.groupCount] = value;
        }
        run.groupCount++;
    }

    private static int number(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to && i < from + 9; i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }

    private static int pow10(int exponent) {
        int value = 1;
        for (int i = 0; i < exponent && i < 9; i++) {
            value *= 10;
        }
        return value;
    }

    private boolean isPhone(String text, Run run, Runnable costlyCheck) {
        boolean internationalPrefix = text.startsWith("00", run.start);
        int maxDigits = run.international ? MAX_INTERNATIONAL_DIGITS
                : internationalPrefix ? MAX_INTERNATIONAL_DIGITS + 2 : MAX_NATIONAL_DIGITS;
        if (run.digits < MIN_DIGITS || run.digits > maxDigits || run.groupCount > MAX_GROUPS) {
            return false;
        }
        if (Chars.attachedBefore(text, run.start) || Chars.attachedAfter(text, run.end)
                || isCurrency(text, run.start) || Ibans.continuesIbanShape(text, run.start)
                || followedByCurrencyOrUnit(text, run.end)) {
            return false;
        }
        String candidate = text.substring(run.start, run.end);
        boolean namedAsIdentifier = ID_WORDS.in(Keywords.before(text, run.start, ID_WINDOW))
                && !PHONE_WORDS.cueOrQuestion(text, run.start, run.end, CUE_WINDOW);
        if (run.international && !namedAsIdentifier) {
            costlyCheck.run();
            return isPossible(candidate, UNKNOWN_REGION);
        }
        if (run.international || namedAsIdentifier || startsWithDate(run) || isIpv4Shape(run) || isSsnShape(run)) {
            return false;
        }
        boolean trunkZero = text.charAt(run.start) == '0'
                || (text.charAt(run.start) == '(' && text.charAt(run.start + 1) == '0');
        List<String> candidateRegions = trunkZero ? regionsForTrunkZero : regions;
        if (!isThousandsShape(run) && isStrongNationalShape(run, trunkZero)) {
            costlyCheck.run();
            for (String region : candidateRegions) {
                if (isPossible(candidate, region)) {
                    return true;
                }
            }
            return false;
        }
        // Undivided and dotted runs in weaker layouts are mostly ids, quantities and code; they need a word saying
        // "phone" before them or a label over them.
        // So do runs quoted on their own, as values in code are.
        boolean cued = PHONE_WORDS.cueOrQuestion(text, run.start, run.end, CUE_WINDOW);
        if (((run.groupCount == 1 || run.separator == '.' || isQuoted(text, run)) && !cued) || isHoursShape(run)
                || isPersonnummerShape(run)) {
            return false;
        }
        costlyCheck.run();
        for (String region : candidateRegions) {
            // A national number with its trunk 0 that the text calls one need only be possible: people write
            // unassigned and new ranges.
            if (isValid(candidate, region) || (cued && trunkZero && digitAfterTrunkZero(text, run.start) > '0'
                    && isPossible(candidate, region))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Which of the usual international call prefixes dial abroad in {@code region}, found by asking parse once per
     * prefix at startup: libphonenumber keeps the prefix in metadata it does not expose.
     */
    private List<String> internationalPrefixes(String region) {
        List<String> found = new ArrayList<>();
        for (String prefix : List.of("00", "000", "001", "0011", "002", "009", "010", "011", "0010", "119", "810")) {
            try {
                if (phoneNumbers.parse(prefix + "4930901820", region).getCountryCode() == PROBE_CALLING_CODE) {
                    found.add(prefix);
                }
            } catch (NumberParseException e) {
                // Not a way to dial abroad from this region.
            }
        }
        return List.copyOf(found);
    }

    private static boolean isCurrency(String text, int start) {
        if (start == 0) {
            return false;
        }
        char before = text.charAt(start - 1);
        return before == '$' || before == '\u20ac' || before == '\u00a3' || before == '\u00a5' || before == '\u20b9';
    }

    /** {@code 2024-03-15}, {@code 15.03.2024}, {@code 3/15/2024}: year, month and day in either order. */
    private static boolean startsWithDate(Run run) {
        if (run.groupCount < 3) {
            return false;
        }
        int[] lengths = run.groupLengths;
        int[] values = run.groupValues;
        if (lengths[0] == 4 && lengths[1] <= 2 && lengths[2] <= 2) {
            return isYear(values[0]) && values[1] >= 1 && values[1] <= 12 && values[2] >= 1 && values[2] <= 31;
        }
        boolean shortYear = lengths[2] == 2 && run.groupCount == 3;
        if (lengths[0] <= 2 && lengths[1] <= 2 && (shortYear || (lengths[2] == 4 && isYear(values[2])))) {
            boolean dayMonth = values[0] >= 1 && values[0] <= 31 && values[1] >= 1 && values[1] <= 12;
            boolean monthDay = values[0] >= 1 && values[0] <= 12 && values[1] >= 1 && values[1] <= 31;
            return dayMonth || monthDay;
        }
        return false;
    }

    private static boolean isYear(int value) {
        return value >= 1900 && value <= 2099;
    }

    private static boolean isIpv4Shape(Run run) {
        if (run.groupCount != 4 || run.separator != '.') {
            return false;
        }
        for (int g = 0; g < 4; g++) {
            if (run.groupLengths[g] > 3) {
                return false;
            }
        }
        return true;
    }

    private static char digitAfterTrunkZero(String text, int start) {
        for (int i = text.indexOf('0', start) + 1; i < text.length(); i++) {
            if (Chars.isDigit(text.charAt(i))) {
                return text.charAt(i);
            }
        }
        return '0';
    }

    /** {@code 46 534 058 EUR}, {@code 74 814 doses}: an amount or a quantity, whatever its digits would dial. */
    private static boolean followedByCurrencyOrUnit(String text, int end) {
        int i = end;
        if (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        if (i >= text.length()) {
            return false;
        }
        char c = text.charAt(i);
        if (c == '€' || c == '$' || c == '£' || c == '¥' || c == '%') {
            return true;
        }
        int wordEnd = i;
        while (wordEnd < text.length() && Chars.isLetter(text.charAt(wordEnd))) {
            wordEnd++;
        }
        String word = text.substring(i, wordEnd);
        return (word.length() == 3 && word.chars().allMatch(Chars::isUpperAscii)) || UNITS.contains(word);
    }

    private static final Set<String> UNITS = Set.of("units", "doses", "items", "pcs", "kg", "km", "tons", "tonnes",
            "shares", "users", "customers", "records", "rows", "bytes", "people", "patients", "orders", "euro",
            "euros", "dollars", "pounds", "francs");

    private static boolean isQuoted(String text, Run run) {
        return run.start > 0 && run.end < text.length() && (text.charAt(run.start - 1) == '\''
                || text.charAt(run.start - 1) == '"') && text.charAt(run.end) == text.charAt(run.start - 1);
    }

    /** {@code 680714-4387}: a Swedish personal number, a date of birth and four digits. */
    private static boolean isPersonnummerShape(Run run) {
        if (run.groupCount != 2 || run.groupLengths[0] != 6 || run.groupLengths[1] != 4) {
            return false;
        }
        int month = run.groupValues[0] / 100 % 100;
        int day = run.groupValues[0] % 100;
        return month >= 1 && month <= 12 && ((day >= 1 && day <= 31) || (day >= 61 && day <= 91));
    }

    /** {@code 0800-1800}: opening hours, two four-digit times of day. */
    private static boolean isHoursShape(Run run) {
        return run.groupCount == 2 && run.separator == '-' && run.groupLengths[0] == 4 && run.groupLengths[1] == 4
                && isTimeOfDay(run.groupValues[0]) && isTimeOfDay(run.groupValues[1]);
    }

    private static boolean isTimeOfDay(int hhmm) {
        return hhmm / 100 <= 24 && hhmm % 100 < 60;
    }

    private static boolean isSsnShape(Run run) {
        return run.groupCount == 3 && run.groupLengths[0] == 3 && run.groupLengths[1] == 2
                && run.groupLengths[2] == 4 && !run.parenthesised;
    }

    /** {@code 12 345 678} or {@code 1.234.567}: a number grouped in thousands, more likely an amount. */
    private static boolean isThousandsShape(Run run) {
        if (run.groupCount < 3 || run.groupLengths[0] > 3 || run.parenthesised) {
            return false;
        }
        for (int g = 1; g < Math.min(run.groupCount, MAX_GROUPS); g++) {
            if (run.groupLengths[g] != 3) {
                return false;
            }
        }
        return true;
    }

    /**
     * A NANP {@code (NXX) NXX-XXXX}, {@code NXX-NXX-XXXX} or {@code NXX.NXX.XXXX}, optionally after a {@code 1}, or
     * a trunk {@code 0} number in three or more groups of two digits or more.
     */
    private static boolean isStrongNationalShape(Run run, boolean trunkZero) {
        if (run.mixedSeparators && !run.parenthesised) {
            return false;
        }
        int[] lengths = run.groupLengths;
        int first = 0;
        if (run.groupCount == 4 && lengths[0] == 1 && run.groupValues[0] == 1) {
            first = 1;
        }
        if (run.groupCount - first == 3 && lengths[first] == 3 && lengths[first + 1] == 3 && lengths[first + 2] == 4) {
            return run.groupValues[first] >= 200 && run.groupValues[first + 1] >= 200;
        }
        if (trunkZero) {
            if (run.groupCount < 3) {
                return false;
            }
            for (int g = 0; g < run.groupCount; g++) {
                if (lengths[g] < 2) {
                    return false;
                }
            }
            return true;
        }
        return run.parenthesised && run.groupCount >= 2 && lengths[0] == 3;
    }

    private boolean isPossible(String candidate, String region) {
        Phonenumber.PhoneNumber quick = quickParse(candidate, region);
        if (quick != null && phoneNumbers.isPossibleNumber(quick)) {
            return true;
        }
        try {
            return phoneNumbers.isPossibleNumber(phoneNumbers.parse(candidate, region));
        } catch (NumberParseException notAPhoneNumber) {
            return false;
        }
    }

    private boolean isValid(String candidate, String region) {
        Phonenumber.PhoneNumber quick = quickParse(candidate, region);
        if (quick != null && phoneNumbers.isValidNumber(quick)) {
            return true;
        }
        try {
            return phoneNumbers.isValidNumber(phoneNumbers.parse(candidate, region));
        } catch (NumberParseException notAPhoneNumber) {
            return false;
        }
    }

    /**
     * The number libphonenumber's {@code parse} would build for a plain run of digit groups, without its text
     * normalisation, which costs twenty times the check itself; {@code null} when the run needs more than this
     * covers (a national number with a leading zero, a national prefix other than 0 or NANP's 1, a 00 that may
     * or may not dial abroad), so the caller asks
     * {@code parse}. Only a positive answer is trusted; a negative one is confirmed by {@code parse}.
     */
    Phonenumber.PhoneNumber quickParse(String candidate, String region) {
        StringBuilder digits = new StringBuilder(candidate.length());
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (Chars.isDigit(c)) {
                digits.append(c);
            }
        }
        boolean international = candidate.indexOf('+') >= 0;
        if (!international && candidate.startsWith("00")) {
            // Whether 00 dials abroad depends on the region (Australia uses 0011): parse knows.
            return null;
        }
        int callingCode;
        int nationalStart;
        if (international) {
            callingCode = 0;
            nationalStart = 0;
            for (int length = 1; length <= 3 && length < digits.length(); length++) {
                int code = Integer.parseInt(digits, 0, length, 10);
                if (!UNKNOWN_REGION.equals(phoneNumbers.getRegionCodeForCountryCode(code))) {
                    callingCode = code;
                    nationalStart = length;
                    break;
                }
            }
            if (callingCode == 0) {
                return null;
            }
        } else {
            callingCode = phoneNumbers.getCountryCodeForRegion(region);
            String prefix = callingCode == NANP_CALLING_CODE ? "1" : trunkPrefixes.get(region);
            if (prefix == null) {
                return null;
            }
            nationalStart = digits.length() > prefix.length() && digits.charAt(0) == prefix.charAt(0)
                    && (callingCode != NANP_CALLING_CODE || digits.length() == NANP_WITH_PREFIX) ? 1 : 0;
        }
        if (!international) {
            for (String dialOut : internationalPrefixes.getOrDefault(region, List.of())) {
                if (digits.indexOf(dialOut) == 0) {
                    return null;
                }
            }
        }
        int nationalLength = digits.length() - nationalStart;
        char first = nationalLength > 0 ? digits.charAt(nationalStart) : '0';
        // NANP area codes never start with 0 or 1; parse keeps such a 1 as part of the number, so must we.
        if (nationalLength < 2 || nationalLength > MAX_NATIONAL_SIGNIFICANT || first == '0'
                || (callingCode == NANP_CALLING_CODE && first == '1')) {
            return null;
        }
        return new Phonenumber.PhoneNumber().setCountryCode(callingCode)
                .setNationalNumber(Long.parseLong(digits, nationalStart, digits.length(), 10));
    }
}
