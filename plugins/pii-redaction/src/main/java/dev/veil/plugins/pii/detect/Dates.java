package dev.veil.plugins.pii.detect;

import java.util.Set;

/**
 * Calendar dates as people write them in English, German, French, Spanish, Italian, Dutch, Portuguese and Swedish:
 * {@code 24/04/1981}, {@code 10.03.1946}, {@code 1996-12-22}, {@code 02-Oct-1995}, {@code 16 April 1967},
 * {@code January 17, 1959}, {@code 4 janvier 2009}, {@code 3. März 1975}, {@code 1 de mayo de 1980}. Only days and
 * months that exist are read, and four-digit years from 1900 to 2099.
 */
final class Dates {
    private static final WordSet MONTHS = new WordSet(Set.copyOf(java.util.List.of(
            "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
            "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
            "januar", "februar", "märz", "maerz", "mai", "juni", "juli", "oktober", "dezember", "jänner", "mär", "okt",
            "dez", "janvier", "février", "fevrier", "mars", "avril", "juin", "juillet", "août", "aout", "septembre",
            "octobre", "novembre", "décembre", "decembre", "janv", "févr", "avr", "juil", "déc", "enero", "febrero",
            "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre", "octubre", "noviembre",
            "diciembre", "ene", "dic", "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre",
            "ottobre", "dicembre", "gen", "mag", "giu", "lug", "ago", "set", "ott", "januari", "februari", "maart",
            "mei", "augustus", "januari", "janeiro", "fevereiro", "março", "maio", "junho", "julho", "setembro",
            "outubro", "novembro", "dezembro", "augusti", "juni", "oktober", "stycznia", "lutego", "marca",
            "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia",
            "styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień",
            "październik", "listopad", "grudzień", "mars", "maj", "juli", "augusti")));

    private Dates() {
    }

    /** Where the date starting at {@code start} ends, or -1 when none starts there. */
    static int end(String text, int start) {
        if (start >= text.length()) {
            return -1;
        }
        char c = text.charAt(start);
        if (Chars.isDigit(c)) {
            int numeric = numeric(text, start);
            return numeric > 0 ? numeric : dayMonthName(text, start);
        }
        return Chars.isLetter(c) ? monthNameDay(text, start) : -1;
    }

    /** {@code yyyymmdd}, as HL7 and compact exports write birth dates; only where a label says it is a date. */
    static int compactEnd(String text, int start) {
        int end = digitsEnd(text, start);
        if (end - start != 8) {
            return -1;
        }
        int year = number(text, start, start + 4);
        return isYear(year) && isDayMonth(number(text, start + 6, start + 8), number(text, start + 4, start + 6))
                ? end : -1;
    }

    private static int numeric(String text, int start) {
        int firstEnd = digitsEnd(text, start);
        int first = firstEnd - start;
        if (firstEnd >= text.length() || (first != 1 && first != 2 && first != 4)) {
            return -1;
        }
        char separator = text.charAt(firstEnd);
        if (separator != '/' && separator != '.' && separator != '-') {
            return -1;
        }
        int secondStart = firstEnd + 1;
        if (secondStart < text.length() && Chars.isLetter(text.charAt(secondStart))) {
            int nameEnd = wordEnd(text, secondStart);
            if (!isMonth(text, secondStart, nameEnd) || nameEnd >= text.length()
                    || text.charAt(nameEnd) != separator) {
                return -1;
            }
            int yearEnd = digitsEnd(text, nameEnd + 1);
            return first <= 2 && yearEnd - nameEnd - 1 == 4 && isYear(number(text, nameEnd + 1, yearEnd))
                    && number(text, start, firstEnd) >= 1 && number(text, start, firstEnd) <= 31 ? yearEnd : -1;
        }
        int secondEnd = digitsEnd(text, secondStart);
        if (secondEnd - secondStart < 1 || secondEnd - secondStart > 2 || secondEnd >= text.length()
                || text.charAt(secondEnd) != separator) {
            return -1;
        }
        int thirdEnd = digitsEnd(text, secondEnd + 1);
        int third = thirdEnd - secondEnd - 1;
        int a = number(text, start, firstEnd);
        int b = number(text, secondStart, secondEnd);
        if (first == 4) {
            return third >= 1 && third <= 2 && isYear(a) && isDayMonth(number(text, secondEnd + 1, thirdEnd), b)
                    ? thirdEnd : -1;
        }
        if (third != 4 || !isYear(number(text, secondEnd + 1, thirdEnd))) {
            return -1;
        }
        return isDayMonth(a, b) || isDayMonth(b, a) ? thirdEnd : -1;
    }

    /** {@code 16 April 1967}, {@code 3. März 1975}, {@code 1 de mayo de 1980}, {@code 4 janvier 2009}. */
    private static int dayMonthName(String text, int start) {
        int dayEnd = digitsEnd(text, start);
        int day = number(text, start, dayEnd);
        if (dayEnd - start > 2 || day < 1 || day > 31) {
            return -1;
        }
        int i = dayEnd;
        if (i < text.length() && text.charAt(i) == '.') {
            i++;
        }
        i = skipSpaces(text, i);
        i = skipWord(text, i, "de");
        int nameEnd = wordEnd(text, i);
        if (nameEnd == i || !isMonth(text, i, nameEnd)) {
            return -1;
        }
        int yearStart = skipWord(text, skipSpaces(text, nameEnd < text.length() && text.charAt(nameEnd) == '.'
                ? nameEnd + 1 : nameEnd), "de");
        int yearEnd = digitsEnd(text, yearStart);
        return yearEnd - yearStart == 4 && isYear(number(text, yearStart, yearEnd)) ? yearEnd : -1;
    }

    /** {@code January 17, 1959}, {@code Oct 2, 1995}. */
    private static int monthNameDay(String text, int start) {
        if (start > 0 && Chars.isLetter(text.charAt(start - 1))) {
            return -1;
        }
        int nameEnd = wordEnd(text, start);
        int dayStart = skipSpaces(text, nameEnd < text.length() && text.charAt(nameEnd) == '.' ? nameEnd + 1
                : nameEnd);
        // The cheap test first: nearly every word of a text is followed by no number at all.
        if (dayStart == nameEnd || dayStart >= text.length() || !Chars.isDigit(text.charAt(dayStart))
                || !isMonth(text, start, nameEnd)) {
            return -1;
        }
        int dayEnd = digitsEnd(text, dayStart);
        int day = number(text, dayStart, dayEnd);
        if (dayEnd - dayStart < 1 || dayEnd - dayStart > 2 || day < 1 || day > 31) {
            return -1;
        }
        int i = dayEnd;
        if (i + 1 < text.length() && (text.startsWith("st", i) || text.startsWith("nd", i)
                || text.startsWith("rd", i) || text.startsWith("th", i))) {
            i += 2;
        }
        if (i < text.length() && text.charAt(i) == ',') {
            i++;
        }
        int yearStart = skipSpaces(text, i);
        int yearEnd = digitsEnd(text, yearStart);
        return yearEnd - yearStart == 4 && isYear(number(text, yearStart, yearEnd)) ? yearEnd : -1;
    }

    private static boolean isMonth(String text, int start, int end) {
        return end - start >= 3 && end - start <= 10 && MONTHS.contains(text, start, end);
    }

    private static boolean isDayMonth(int day, int month) {
        return day >= 1 && day <= 31 && month >= 1 && month <= 12;
    }

    private static boolean isYear(int year) {
        return year >= 1900 && year <= 2099;
    }

    private static int skipSpaces(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static int skipWord(String text, int from, String word) {
        if (text.startsWith(word, from) && from + word.length() < text.length()
                && text.charAt(from + word.length()) == ' ') {
            return from + word.length() + 1;
        }
        return from;
    }

    private static int wordEnd(String text, int from) {
        int i = from;
        while (i < text.length() && Chars.isLetter(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int digitsEnd(String text, int from) {
        int i = from;
        while (i < text.length() && Chars.isDigit(text.charAt(i)) && i - from < 9) {
            i++;
        }
        return i;
    }

    private static int number(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }
}
