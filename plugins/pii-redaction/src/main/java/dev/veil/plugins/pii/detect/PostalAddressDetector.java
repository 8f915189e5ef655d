package dev.veil.plugins.pii.detect;

import java.util.List;
import java.util.Set;

/**
 * Finds postal addresses ({@link PiiTypes#POSTAL_ADDRESS}) as English, American, British, German, Austrian, French,
 * Spanish, Italian and Dutch letters, forms and records write them. An address is anchored on its street and house
 * number, in the order of its country — {@code 70 Queen's Road}, {@code 157, rue des Lilas}, {@code Kirchweg 138},
 * {@code Calle Real, 149}, {@code Via Garibaldi 115} — and then takes in what follows it as long as it reads as the
 * rest of an address: a flat or suite, a city, a state and ZIP, a postcode (UK, NL and five- or four-digit ones), a
 * province in brackets, on the same line or on the next lines of a letter head. Any value under an address label
 * ({@code "address":}, {@code Anschrift:}, {@code Domicilio:}, HL7 {@code PID-11}) is taken whole. A street name
 * without a number, a city on its own ("Lincoln, Nebraska") and numbers followed by other words are left alone.
 */
public final class PostalAddressDetector implements Detector {
    private static final int MAX_NAME_WORDS = 4;
    private static final int MAX_SEGMENTS = 7;
    private static final int MAX_LABELLED = 160;
    /** How far after the start of a street name its house number can be: "Corso Vittorio Emanuele II, 120". */
    private static final int NUMBER_REACH = 48;

    private static final Keywords ADDRESS_LABELS = new Keywords("address", "adresse", "anschrift", "domicilio",
            "dirección", "direccion", "indirizzo", "adres", "wohnadresse", "residenza", "street", "morada",
            "adresa", "адрес", "地址");
    /** Street types written after the name: "Queen's Road", "Elmwood Avenue". */
    private static final WordSet TYPES_AFTER = new WordSet(Set.of("street", "st", "road", "rd", "avenue", "ave", "lane", "ln",
            "drive", "dr", "boulevard", "blvd", "court", "ct", "crescent", "cres", "terrace", "place", "pl", "way",
            "close", "gardens", "grove", "hill", "row", "square", "sq", "parkway", "pkwy", "circle", "cir",
            "highway", "hwy", "walk", "mews", "green", "trail", "view", "rise", "wharf", "quay", "broadway", "park",
            "hollow", "run", "pike", "crossing", "loop", "ridge", "heights", "path", "alley", "glen", "vale", "bend",
            "gate",
            "straße", "strasse", "str", "allee", "platz", "gasse", "weg", "ring", "damm", "ufer", "markt"));
    /** Street types written before the name: "rue des Lilas", "Calle Mayor", "Viale Monza". */
    private static final WordSet TYPES_BEFORE = new WordSet(Set.of("rue", "avenue", "boulevard", "bd", "chemin", "impasse",
            "allée", "place", "quai", "route", "cours", "passage", "faubourg", "calle", "c/", "avenida", "avda",
            "plaza", "paseo", "camino", "carretera", "ronda", "travesía", "via", "viale", "piazza", "corso", "largo",
            "vicolo", "strada", "piazzale", "rua", "carrer", "praça"));
    /** Endings of one-word street names: "Kirchweg", "Goethestraße", "Keizersgracht", "Getreidegasse". */
    private static final String[] SUFFIXES = {"straße", "strasse", "str.", "weg", "gasse", "allee", "platz", "ring",
        "damm", "ufer", "chaussee", "steig", "pfad", "markt", "graben", "straat", "laan", "plein", "gracht", "kade",
        "singel", "dijk", "steeg", "hof", "akker", "veld", "straatweg", "dreef", "hout"};
    private static final WordSet PARTICLES = new WordSet(Set.of("de", "del", "de la", "la", "las", "los", "des", "du", "di",
            "della", "delle", "dei", "van", "von", "der", "den", "of", "the", "d'", "am", "an", "sur", "upon", "en",
            "im", "ob", "bei"));
    /** German streets named by where they are: "Am Stadtpark", "An der Alster", "Im Winkel", "Zur Mühle". */
    private static final WordSet LEADING_PREPOSITIONS = new WordSet(Set.of("am", "an", "auf", "im", "in", "zum", "zur",
            "unter", "hinter", "vor", "bei"));
    private static final WordSet STREET_WORDS = new WordSet(Set.of("straße", "strasse"));
    private static final WordSet UNITS = new WordSet(Set.of("apt", "apt.", "apartment", "suite", "ste", "unit", "flat",
            "floor", "piso", "planta", "puerta", "stock", "top", "bus", "boîte", "bte", "app", "appartement", "esc",
            "escalera", "interno", "int", "scala", "whg"));

    @Override
    public void detect(String text, List<Finding> findings) {
        labelled(text, findings);
        // Every address holds a house number, which starts a digit run: at its start (numberFirst) or within
        // NUMBER_REACH after the start of the street name (nameFirst). So only those stretches are read, in order.
        int i = 0;
        for (int digits : DigitRuns.of(text)) {
            for (int at = Math.max(i, digits - NUMBER_REACH); at <= digits; ) {
                int end = at > 0 && isWordChar(text.charAt(at - 1)) ? -1
                        : at == digits ? numberFirst(text, at)
                        : Character.isUpperCase(text.charAt(at)) ? nameFirst(text, at) : -1;
                if (end > 0) {
                    findings.add(new Finding(unitBefore(text, at), end, PiiTypes.POSTAL_ADDRESS));
                    at = end;
                } else {
                    at++;
                }
                i = at;
            }
        }
    }

    private static void labelled(String text, List<Finding> findings) {
        for (Fields.Field field : Fields.of(text)) {
            int length = field.end() - field.start();
            if (length <= MAX_LABELLED && ADDRESS_LABELS.in(field.label())
                    && !field.label().contains("email") && !field.label().contains("ip")
                    && holdsDigitAndLetter(text, field.start(), field.end())) {
                findings.add(new Finding(field.start(), field.end(), PiiTypes.POSTAL_ADDRESS));
            }
        }
    }

    /** {@code 70 Queen's Road...}, {@code 157, rue des Lilas...}, {@code 79 bis rue...}: where the address ends. */
    private static int numberFirst(String text, int start) {
        int numberEnd = houseNumberEnd(text, start);
        if (numberEnd < 0) {
            return -1;
        }
        int i = numberEnd;
        if (text.startsWith(" bis ", i) || text.startsWith(" ter ", i)) {
            i += 4;
        }
        if (i < text.length() && text.charAt(i) == ',') {
            i++;
        }
        if (i >= text.length() || text.charAt(i) != ' ') {
            return -1;
        }
        i++;
        int wordEnd = wordEnd(text, i);
        if (wordEnd > i && TYPES_BEFORE.contains(text, i, wordEnd) && wordEnd < text.length()
                && text.charAt(wordEnd) == ' ') {
            int namesEnd = nameWords(text, wordEnd + 1);
            return namesEnd > 0 ? rest(text, namesEnd) : -1;
        }
        int cursor = i;
        int typeEnd = -1;
        for (int words = 0; words < MAX_NAME_WORDS + 1; words++) {
            int end = wordEnd(text, cursor);
            if (end == cursor || !isCapitalised(text, cursor)) {
                break;
            }
            if (words > 0 && TYPES_AFTER.contains(text, cursor, end)) {
                typeEnd = end < text.length() && text.charAt(end) == '.' ? end + 1 : end;
                // "Primrose Hill Road", "Forest Park Avenue": a type word can be part of the name.
                int next = typeEnd + 1;
                int nextEnd = typeEnd < text.length() && text.charAt(typeEnd) == ' ' ? wordEnd(text, next) : next;
                if (nextEnd > next && isCapitalised(text, next) && TYPES_AFTER.contains(text, next, nextEnd)) {
                    typeEnd = nextEnd < text.length() && text.charAt(nextEnd) == '.' ? nextEnd + 1 : nextEnd;
                }
                break;
            }
            if (end >= text.length() || text.charAt(end) != ' ') {
                break;
            }
            cursor = end + 1;
        }
        return typeEnd > 0 ? rest(text, typeEnd) : -1;
    }

    /**
     * {@code Kirchweg 138}, {@code Mariahilfer Straße 127a/6}, {@code Calle Real, 149}, {@code Via Garibaldi 115},
     * {@code BAHNHOFSTRASSE 105}: where the address ends.
     */
    private static int nameFirst(String text, int start) {
        int first = wordEnd(text, start);
        if (first - start < 2) {
            return -1;
        }
        int streetEnd = -1;
        if ((TYPES_BEFORE.contains(text, start, first) || LEADING_PREPOSITIONS.contains(text, start, first))
                && first < text.length() && text.charAt(first) == ' ') {
            streetEnd = nameWords(text, first + 1);
        } else if (hasStreetSuffix(text, start, first)) {
            streetEnd = first < text.length() && text.charAt(first) == '.' ? first + 1 : first;
        } else if (first < text.length() && text.charAt(first) == ' ') {
            int second = wordEnd(text, first + 1);
            // "Mariahilfer Straße", "Landstraßer Hauptstraße": a place name in its -er form before the street.
            boolean placeAdjective = first - start > 3 && text.regionMatches(true, first - 2, "er", 0, 2);
            if (second > first + 1 && isCapitalised(text, first + 1) && (STREET_WORDS.contains(text, first + 1, second)
                    || (placeAdjective && hasStreetSuffix(text, first + 1, second)))) {
                streetEnd = second;
            }
        }
        if (streetEnd < 0) {
            return -1;
        }
        int i = streetEnd;
        if (i < text.length() && text.charAt(i) == ',') {
            i++;
        }
        if (i >= text.length() || text.charAt(i) != ' ') {
            return -1;
        }
        int numberEnd = houseNumberEnd(text, i + 1);
        if (numberEnd > 0 && (text.startsWith(" bis", numberEnd) || text.startsWith(" ter", numberEnd))
                && !isWordChar(charAt(text, numberEnd + 4))) {
            numberEnd += 4;
        }
        return numberEnd > 0 ? rest(text, numberEnd) : -1;
    }

    /** Capitalised or capital name words with particles between ("des Lilas", "de España", "Garibaldi"). */
    private static int nameWords(String text, int start) {
        int cursor = start;
        int end = -1;
        for (int words = 0; words < MAX_NAME_WORDS; words++) {
            int wordEnd = wordEnd(text, cursor);
            if (wordEnd == cursor) {
                break;
            }
            boolean particle = PARTICLES.contains(text, cursor, wordEnd);
            if (!particle && !isCapitalised(text, cursor)) {
                break;
            }
            if (!particle) {
                end = wordEnd;
            }
            if (wordEnd >= text.length() || text.charAt(wordEnd) != ' ') {
                break;
            }
            cursor = wordEnd + 1;
        }
        return end;
    }

    /**
     * Takes in what follows a street and number while it reads as the rest of an address; returns the end of the
     * last part taken. A part is a unit, a city, a state, a ZIP, a postcode, or a postcode with its city, separated
     * by commas, spaces, HL7 carets or line breaks (a line break only before a part that fills its line).
     */
    private static int rest(String text, int streetEnd) {
        int end = streetEnd;
        boolean city = false;
        boolean postcode = false;
        for (int segments = 0; segments < MAX_SEGMENTS && !(city && postcode); segments++) {
            int i = end;
            boolean newLine = false;
            while (i < text.length() && (text.charAt(i) == ',' || text.charAt(i) == ' ' || text.charAt(i) == '^'
                    || (text.charAt(i) == '\n' && !newLine))) {
                newLine |= text.charAt(i) == '\n';
                i++;
            }
            if (i == end || i >= text.length()) {
                break;
            }
            int next;
            if ((next = unit(text, i)) > 0 && !city && !postcode) {
                end = next;
            } else if ((next = ukPostcode(text, i)) > 0) {
                end = next;
                postcode = true;
            } else if ((next = postcodeAndCity(text, i)) > 0) {
                end = next;
                postcode = true;
                city = true;
            } else if ((next = stateAndZip(text, i)) > 0 && city) {
                end = next;
                postcode = true;
            } else if ((next = cityWords(text, i)) > 0 && !city) {
                end = next;
                city = true;
            } else {
                break;
            }
            if (newLine && !lineEndsAt(text, end) && !continuesOnItsLine(text, end)) {
                return end;
            }
        }
        int province = provinceAfter(text, end);
        return province > 0 ? province : end;
    }

    /** {@code Anchorage}, then {@code , AK 99552} on the same line: the rest of a city line. */
    private static boolean continuesOnItsLine(String text, int end) {
        int i = end;
        while (i < text.length() && (text.charAt(i) == ',' || text.charAt(i) == ' ')) {
            i++;
        }
        return i > end && i < text.length() && (stateAndZip(text, i) > 0 || ukPostcode(text, i) > 0);
    }

    /** {@code Apt 8A}, {@code Suite 687}, {@code Flat 3}, {@code #14}, {@code piso 7}, {@code 2º I}, {@code 7º D}. */
    private static int unit(String text, int start) {
        if (text.charAt(start) == '#') {
            int end = alnumEnd(text, start + 1);
            return end > start + 1 && end - start <= 6 ? end : -1;
        }
        int wordEnd = wordEnd(text, start);
        if (wordEnd > start && UNITS.contains(text, start, wordEnd) && wordEnd + 1 < text.length()
                && text.charAt(wordEnd) == ' ') {
            int valueEnd = alnumEnd(text, wordEnd + 1);
            return valueEnd > wordEnd + 1 && valueEnd - wordEnd <= 6 ? valueEnd : -1;
        }
        int digits = start;
        while (digits < text.length() && Chars.isDigit(text.charAt(digits)) && digits - start < 2) {
            digits++;
        }
        if (digits > start && digits < text.length() && "º°ª".indexOf(text.charAt(digits)) >= 0) {
            int end = digits + 1;
            if (end + 1 < text.length() && text.charAt(end) == ' ' && Chars.isUpper(text.charAt(end + 1))
                    && !isWordChar(charAt(text, end + 2))) {
                end += 2;
            }
            return end;
        }
        return -1;
    }

    /** {@code M16 2GA}, {@code EH11 3SG}, {@code CF8 3YE}. */
    private static int ukPostcode(String text, int start) {
        int i = start;
        int letters = 0;
        while (i < text.length() && Chars.isUpper(text.charAt(i)) && letters < 2) {
            i++;
            letters++;
        }
        if (letters == 0 || i >= text.length() || !Chars.isDigit(text.charAt(i))) {
            return -1;
        }
        i++;
        if (i < text.length() && (Chars.isDigit(text.charAt(i)) || Chars.isUpper(text.charAt(i)))) {
            i++;
        }
        if (i + 4 > text.length() || text.charAt(i) != ' ' || !Chars.isDigit(text.charAt(i + 1))
                || !Chars.isUpper(text.charAt(i + 2)) || !Chars.isUpper(text.charAt(i + 3))
                || isWordChar(charAt(text, i + 4))) {
            return -1;
        }
        return i + 4;
    }

    /** {@code 04191 Leipzig}, {@code 2343 JJ Leiden}, {@code 1027 Wien}, {@code 20584 HAMBURG}. */
    private static int postcodeAndCity(String text, int start) {
        int digits = start;
        while (digits < text.length() && Chars.isDigit(text.charAt(digits))) {
            digits++;
        }
        int count = digits - start;
        if ((count != 4 && count != 5) || digits >= text.length() || text.charAt(digits) != ' ') {
            return -1;
        }
        int i = digits + 1;
        if (count == 4 && i + 3 < text.length() && Chars.isUpper(text.charAt(i)) && Chars.isUpper(text.charAt(i + 1))
                && text.charAt(i + 2) == ' ') {
            i += 3;
        }
        return cityWords(text, i);
    }

    /** {@code CO 80269}, {@code OH^43221}, {@code CA 95824-1234}. */
    private static int stateAndZip(String text, int start) {
        if (start + 8 > text.length() || !Chars.isUpper(text.charAt(start)) || !Chars.isUpper(text.charAt(start + 1))
                || (text.charAt(start + 2) != ' ' && text.charAt(start + 2) != '^')) {
            return -1;
        }
        int zip = start + 3;
        int end = zip;
        while (end < text.length() && Chars.isDigit(text.charAt(end))) {
            end++;
        }
        if (end - zip != 5) {
            return -1;
        }
        if (end + 5 <= text.length() && text.charAt(end) == '-' && IdNumbers.allDigits(text, end + 1, end + 5)) {
            end += 5;
        }
        return isWordChar(charAt(text, end)) ? -1 : end;
    }

    /**
     * One to three capitalised or capital words ("Manchester", "Sacramento", "Frankfurt am Main"), not followed on
     * the same line by a lower-case word that would make them the start of a sentence.
     */
    private static int cityWords(String text, int start) {
        if (start >= text.length() || !isCapitalised(text, start)) {
            return -1;
        }
        int cursor = start;
        int end = -1;
        for (int words = 0; words < 3; words++) {
            int wordEnd = wordEnd(text, cursor);
            if (wordEnd == cursor) {
                break;
            }
            boolean particle = PARTICLES.contains(text, cursor, wordEnd);
            if (!particle && !isCapitalised(text, cursor)) {
                break;
            }
            if (!particle) {
                end = wordEnd;
            }
            if (wordEnd + 1 >= text.length() || text.charAt(wordEnd) != ' ' || ukPostcode(text, wordEnd + 1) > 0
                    || stateAndZip(text, wordEnd + 1) > 0) {
                break;
            }
            cursor = wordEnd + 1;
        }
        return end;
    }

    /** {@code (TO)}: an Italian province after the city. */
    private static int provinceAfter(String text, int end) {
        if (end + 5 <= text.length() && text.charAt(end) == ' ' && text.charAt(end + 1) == '('
                && Chars.isUpper(text.charAt(end + 2)) && Chars.isUpper(text.charAt(end + 3))
                && text.charAt(end + 4) == ')') {
            return end + 5;
        }
        return -1;
    }

    /** {@code Flat 1, 31B Queen's Road}: a unit written before the number belongs to the address. */
    private static int unitBefore(String text, int start) {
        int i = start - 1;
        if (i < 1 || text.charAt(i) != ' ') {
            return start;
        }
        i--;
        if (text.charAt(i) == ',') {
            i--;
        }
        int valueEnd = i + 1;
        while (i >= 0 && Chars.isAsciiAlnum(text.charAt(i))) {
            i--;
        }
        if (valueEnd - i - 1 < 1 || valueEnd - i - 1 > 4 || i < 1 || text.charAt(i) != ' ') {
            return start;
        }
        int wordEnd = i;
        int wordStart = wordEnd;
        while (wordStart > 0 && Chars.isLetter(text.charAt(wordStart - 1))) {
            wordStart--;
        }
        return wordStart < wordEnd && UNITS.contains(text, wordStart, wordEnd) ? wordStart : start;
    }

    /** {@code 138}, {@code 31B}, {@code 104b}, {@code 170/10}, {@code 127a/6}, {@code 62-2}; where it ends, or -1. */
    private static int houseNumberEnd(String text, int start) {
        int i = start;
        while (i < text.length() && Chars.isDigit(text.charAt(i)) && i - start < 5) {
            i++;
        }
        if (i == start || (i < text.length() && Chars.isDigit(text.charAt(i)))) {
            return -1;
        }
        if (i < text.length() && Chars.isLetter(text.charAt(i)) && !isWordChar(charAt(text, i + 1))) {
            i++;
        }
        if (i + 1 < text.length() && (text.charAt(i) == '/' || text.charAt(i) == '-')
                && Chars.isDigit(text.charAt(i + 1))) {
            i += 2;
            while (i < text.length() && Chars.isDigit(text.charAt(i))) {
                i++;
            }
        }
        return isWordChar(charAt(text, i)) ? -1 : i;
    }

    private static boolean hasStreetSuffix(String text, int start, int end) {
        int dotted = end < text.length() && text.charAt(end) == '.' ? end + 1 : end;
        for (String suffix : SUFFIXES) {
            int suffixEnd = suffix.endsWith(".") ? dotted : end;
            int at = suffixEnd - suffix.length();
            if (at >= start + 3 && text.regionMatches(true, at, suffix, 0, suffix.length())) {
                return true;
            }
        }
        return false;
    }

    private static boolean lineEndsAt(String text, int end) {
        return end >= text.length() || text.charAt(end) == '\n' || text.charAt(end) == '\r';
    }

    private static boolean holdsDigitAndLetter(String text, int start, int end) {
        boolean digit = false;
        boolean letter = false;
        for (int i = start; i < end; i++) {
            digit |= Chars.isDigit(text.charAt(i));
            letter |= Chars.isLetter(text.charAt(i));
        }
        return digit && letter;
    }

    private static boolean isCapitalised(String text, int i) {
        return i < text.length() && Character.isUpperCase(text.charAt(i));
    }

    /** A word: letters with inner apostrophes, hyphens and a final abbreviation dot ("Queen's", "St."). */
    private static int wordEnd(String text, int start) {
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Chars.isLetter(c)) {
                i++;
            } else if ((c == '\'' || c == '’' || c == '-') && i > start && i + 1 < text.length()
                    && Chars.isLetter(text.charAt(i + 1))) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static int alnumEnd(String text, int start) {
        int i = start;
        while (i < text.length() && (Chars.isAsciiAlnum(text.charAt(i)) || text.charAt(i) == '-')) {
            i++;
        }
        return i;
    }

    private static boolean isWordChar(char c) {
        return Chars.isLetterOrDigit(c) || c == '_';
    }

    private static char charAt(String text, int i) {
        return i < text.length() ? text.charAt(i) : ' ';
    }
}
