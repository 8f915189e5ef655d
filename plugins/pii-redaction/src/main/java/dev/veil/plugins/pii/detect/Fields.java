package dev.veil.plugins.pii.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The labelled values of a text: what records, forms and code say a value is. A number is a tax id because its
 * label says {@code steuer_id}, a date is a birth date because its column is headed {@code dob}, a string is a name
 * because its key is {@code "cardholder"}. Read here, once per text, from
 * <ul>
 *   <li>pairs: {@code Label: value} lines of forms and YAML, {@code "key": "value"} in JSON, {@code key="value"} in
 *       code, {@code KEY=value} in env files and connection strings;</li>
 *   <li>tables: CSV, TSV and Markdown rows under a header row (and two-column tables as label and value);</li>
 *   <li>SQL {@code INSERT ... (columns) VALUES (values)};</li>
 *   <li>HL7 v2 {@code PID} segments, whose fields have fixed meanings.</li>
 * </ul>
 * Each pass reads a character a bounded number of times, so the cost is linear in the text. The detectors of one
 * text share the result: it is kept for the last text seen on each thread.
 */
final class Fields {
    /**
     * A value and its label.
     *
     * @param label the label in lower case, as written ({@code "date of birth"}, {@code "steuer_id"})
     * @param start the value's first character
     * @param end   after the value's last character, quotes and surrounding spaces excluded
     */
    record Field(String label, int start, int end) {
    }

    private static final int MAX_LABEL = 40;
    private static final int MAX_LABEL_WORDS = 4;
    private static final int MAX_HEADER_CELL = 40;
    private static final int NESTING = 4;
    /** The longest value read after a label: enough for an address or a key, and a bound on the work per label. */
    private static final int MAX_VALUE = 512;
    private static final ThreadLocal<Fields> LAST = new ThreadLocal<>();

    private final String text;
    private final List<Field> fields;

    private Fields(String text, List<Field> fields) {
        this.text = text;
        this.fields = fields;
    }

    /** The labelled values of {@code text}, ordered by start. */
    static List<Field> of(String text) {
        Fields last = LAST.get();
        if (last != null && last.text == text) {
            return last.fields;
        }
        List<Field> fields = new ArrayList<>();
        pairs(text, fields);
        lines(text, fields);
        fields.sort(java.util.Comparator.comparingInt(Field::start));
        Fields read = new Fields(text, List.copyOf(fields));
        LAST.set(read);
        return read.fields;
    }

    /** The label of the field whose value holds {@code [start, end)}, or null. */
    static String labelOf(String text, int start, int end) {
        List<Field> fields = of(text);
        int low = 0;
        int high = fields.size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (fields.get(middle).start() <= start) {
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        // Fields nest at most a few deep (a pair inside a table cell), so a few steps back find the one that holds.
        for (int i = high; i >= 0 && i > high - NESTING; i--) {
            Field field = fields.get(i);
            if (field.start() <= start && end <= field.end()) {
                return field.label();
            }
        }
        return null;
    }

    private static void pairs(String text, List<Field> fields) {
        int length = text.length();
        // Only the colons and equals signs are read, in text order, each found by indexOf.
        int colon = text.indexOf(':');
        int equals = text.indexOf('=');
        while (colon >= 0 || equals >= 0) {
            int i = colon >= 0 && (equals < 0 || colon < equals) ? colon : equals;
            char c = text.charAt(i);
            if (c == ':') {
                colon = text.indexOf(':', i + 1);
            } else {
                equals = text.indexOf('=', i + 1);
            }
            if (!isPairMark(text, i)) {
                continue;
            }
            int keyEnd = i;
            while (keyEnd > 0 && text.charAt(keyEnd - 1) == ' ') {
                keyEnd--;
            }
            boolean quotedKey = keyEnd > 0 && isQuote(text.charAt(keyEnd - 1));
            int keyStart = quotedKey ? quotedStart(text, keyEnd - 1) : bareKeyStart(text, keyEnd);
            String label = quotedKey ? (keyStart < 0 ? null : text.substring(keyStart, keyEnd - 1))
                    : (keyStart < keyEnd ? text.substring(keyStart, keyEnd) : null);
            // JSON written inside a JSON string: \"key\": \"value\".
            if (label != null && label.endsWith("\\")) {
                label = label.substring(0, label.length() - 1);
            }
            if (label == null || label.isBlank()) {
                continue;
            }
            int valueStart = i + 1;
            while (valueStart < length && (text.charAt(valueStart) == ' ' || text.charAt(valueStart) == '\t')) {
                valueStart++;
            }
            if (valueStart >= length) {
                continue;
            }
            char first = text.charAt(valueStart);
            if (first == '[') {
                int inner = valueStart + 1;
                while (inner < length && text.charAt(inner) == ' ') {
                    inner++;
                }
                if (inner < length && isQuote(text.charAt(inner))) {
                    valueStart = inner;
                    first = text.charAt(inner);
                }
            }
            int valueEnd;
            if (first == '\\' && valueStart + 1 < length && text.charAt(valueStart + 1) == '"') {
                int limit = Math.min(length, valueStart + MAX_VALUE);
                valueEnd = text.indexOf("\\\"", valueStart + 2, limit);
                int lineEnd = text.indexOf('\n', valueStart, limit);
                if (valueEnd > 0 && (lineEnd < 0 || valueEnd < lineEnd)) {
                    add(fields, label, text, valueStart + 2, valueEnd);
                }
            } else if (isQuote(first)) {
                valueEnd = quotedEnd(text, valueStart);
                if (valueEnd < 0) {
                    continue;
                }
                add(fields, label, text, valueStart + 1, valueEnd);
            } else if (first != '{' && first != '[' && first != '\n' && first != '\r') {
                valueEnd = bareValueEnd(text, valueStart, c);
                add(fields, label, text, valueStart, valueEnd);
            }
        }
    }

    /** A {@code :} or {@code =} between a key and a value, not part of a time, URL, operator or emoticon. */
    private static boolean isPairMark(String text, int i) {
        char c = text.charAt(i);
        char before = i > 0 ? text.charAt(i - 1) : ' ';
        char after = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
        if (after == c || before == c || after == '/' || (c == ':' && after == '=') || before == '!' || before == '<'
                || before == '>') {
            return false;
        }
        return !(Chars.isDigit(before) && Chars.isDigit(after));
    }

    private static boolean isQuote(char c) {
        return c == '"' || c == '\'';
    }

    /** Where the string that ends with the quote at {@code close} starts (after its opening quote), or -1. */
    private static int quotedStart(String text, int close) {
        char quote = text.charAt(close);
        for (int i = close - 1; i >= 0 && close - i <= MAX_LABEL + 1; i--) {
            char c = text.charAt(i);
            if (c == quote) {
                return i + 1;
            }
            if (c == '\n') {
                return -1;
            }
        }
        return -1;
    }

    /** The index of the quote that closes the string opened at {@code open}, on the same line, or -1. */
    private static int quotedEnd(String text, int open) {
        char quote = text.charAt(open);
        for (int i = open + 1; i < text.length() && i - open <= MAX_VALUE; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            } else if (c == '\n') {
                return -1;
            }
        }
        return -1;
    }

    /** The start of an unquoted label of a few words ending at {@code end}: back to the line, a bracket or a stop. */
    private static int bareKeyStart(String text, int end) {
        int i = end;
        int words = 1;
        while (i > 0 && end - i < MAX_LABEL) {
            char c = text.charAt(i - 1);
            if (c == ' ') {
                if (++words > MAX_LABEL_WORDS || (i >= 2 && (text.charAt(i - 2) == '.' || text.charAt(i - 2) == ','
                        || text.charAt(i - 2) == ';' || text.charAt(i - 2) == ':'))) {
                    break;
                }
            } else if (!(Chars.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '/' || c == '('
                    || c == ')' || c == '#')) {
                break;
            }
            i--;
        }
        while (i < end && (text.charAt(i) == ' ' || text.charAt(i) == '(' || text.charAt(i) == '-')) {
            i++;
        }
        return i;
    }

    private static int bareValueEnd(String text, int start, char mark) {
        int i = start;
        while (i < text.length() && i - start < MAX_VALUE) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == ';' || c == '|' || (mark == '=' && (c == ' ' || c == ',' || c == '&'
                    || c == ')')) || (c == '.' && i + 1 < text.length() && text.charAt(i + 1) == ' ' && !afterInitial(text, i))) {
                break;
            }
            i++;
        }
        return i;
    }

    /** Whether the {@code .} at {@code dot} ends an initial ("U.J. Kühn", "Dr. Weiß") rather than a sentence. */
    private static boolean afterInitial(String text, int dot) {
        int wordStart = dot;
        while (wordStart > 0 && Chars.isLetter(text.charAt(wordStart - 1))) {
            wordStart--;
        }
        return dot - wordStart <= 2 && wordStart < dot && Character.isUpperCase(text.charAt(wordStart));
    }

    private static void add(List<Field> fields, String label, String text, int start, int end) {
        int s = start;
        int e = end;
        while (s < e && Character.isWhitespace(text.charAt(s))) {
            s++;
        }
        while (e > s && (Character.isWhitespace(text.charAt(e - 1)) || text.charAt(e - 1) == ',')) {
            e--;
        }
        if (e > s) {
            fields.add(new Field(label.trim().toLowerCase(Locale.ROOT), s, e));
        }
    }

    /** Tables, SQL inserts and HL7 segments, line by line. */
    private static void lines(String text, List<Field> fields) {
        int length = text.length();
        List<int[]> header = null;
        String headerText = null;
        char separator = 0;
        List<int[]> sqlColumns = null;
        int lineStart = 0;
        while (lineStart < length) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = length;
            }
            int contentEnd = lineEnd > lineStart && text.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            if (text.startsWith("PID|", lineStart)) {
                hl7Patient(text, lineStart, contentEnd, fields);
            }
            char lineSeparator = separatorOf(text, lineStart, contentEnd);
            int rowOpen = firstNonBlank(text, lineStart, contentEnd);
            if (sqlColumns != null && rowOpen < contentEnd && text.charAt(rowOpen) == '(') {
                sqlRow(text, rowOpen, contentEnd, sqlColumns, fields);
            } else {
                sqlColumns = null;
            }
            if (lineSeparator == ',' && text.indexOf('(', lineStart, contentEnd) >= 0) {
                List<int[]> pending = sqlInsert(text, lineStart, contentEnd, fields);
                sqlColumns = pending != null ? pending : sqlColumns;
            }
            if (header != null && lineSeparator == separator) {
                if (!isMarkdownRule(text, lineStart, contentEnd)) {
                    List<int[]> cells = cells(text, lineStart, contentEnd, separator);
                    for (int k = 0; k < cells.size() && k < header.size(); k++) {
                        int[] h = header.get(k);
                        add(fields, headerText.substring(h[0], h[1]), text, cells.get(k)[0], cells.get(k)[1]);
                    }
                    if (cells.size() == 2) {
                        add(fields, text.substring(cells.get(0)[0], cells.get(0)[1]), text, cells.get(1)[0],
                                cells.get(1)[1]);
                    }
                }
            } else if (lineSeparator != 0 && isHeader(text, lineStart, contentEnd, lineSeparator)) {
                separator = lineSeparator;
                headerText = text;
                header = cells(text, lineStart, contentEnd, separator);
            } else {
                header = null;
                if (lineSeparator == '|') {
                    List<int[]> cells = cells(text, lineStart, contentEnd, '|');
                    if (cells.size() == 2) {
                        add(fields, text.substring(cells.get(0)[0], cells.get(0)[1]), text, cells.get(1)[0],
                                cells.get(1)[1]);
                    }
                }
            }
            lineStart = lineEnd + 1;
        }
    }

    private static int firstNonBlank(String text, int start, int end) {
        int i = start;
        while (i < end && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** The separator of a table row: {@code |}, tab, or {@code ,} or {@code ;} between two or more cells. */
    private static char separatorOf(String text, int start, int end) {
        int pipes = 0;
        int tabs = 0;
        int commas = 0;
        int semicolons = 0;
        boolean quoted = false;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                switch (c) {
                    case '|' -> pipes++;
                    case '\t' -> tabs++;
                    case ',' -> commas++;
                    case ';' -> semicolons++;
                    default -> {
                    }
                }
            }
        }
        if (pipes >= 2) {
            return '|';
        }
        if (tabs >= 1) {
            return '\t';
        }
        if (semicolons >= 2) {
            return ';';
        }
        return commas >= 2 ? ',' : 0;
    }

    /** A header row: short cells of words, no digits, no sentence in them. */
    private static boolean isHeader(String text, int start, int end, char separator) {
        int cell = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == separator) {
                cell = 0;
            } else if (++cell > MAX_HEADER_CELL || Chars.isDigit(c) || c == '.' || c == '@' || c == ':') {
                return false;
            }
        }
        return true;
    }

    private static boolean isMarkdownRule(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c != '|' && c != '-' && c != ':' && c != ' ') {
                return false;
            }
        }
        return true;
    }

    /** The cells of a row, trimmed, without surrounding quotes; a Markdown row's outer pipes open no cell. */
    private static List<int[]> cells(String text, int start, int end, char separator) {
        List<int[]> cells = new ArrayList<>();
        int s = start;
        int e = end;
        if (separator == '|') {
            while (s < e && text.charAt(s) == ' ') {
                s++;
            }
            if (s < e && text.charAt(s) == '|') {
                s++;
            }
            while (e > s && text.charAt(e - 1) == ' ') {
                e--;
            }
            if (e > s && text.charAt(e - 1) == '|') {
                e--;
            }
        }
        int cellStart = s;
        boolean quoted = false;
        for (int i = s; i <= e; i++) {
            char c = i < e ? text.charAt(i) : separator;
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                int a = cellStart;
                int b = i;
                while (a < b && (text.charAt(a) == ' ' || text.charAt(a) == '"')) {
                    a++;
                }
                while (b > a && (text.charAt(b - 1) == ' ' || text.charAt(b - 1) == '"')) {
                    b--;
                }
                cells.add(new int[] {a, b});
                cellStart = i + 1;
            }
        }
        return cells;
    }

    /**
     * The columns of an SQL insert on this line, with its values when they are on the line too; the columns when its
     * rows follow on the next lines ({@code VALUES} at the end of the line), else null.
     */
    private static List<int[]> sqlInsert(String text, int start, int end, List<Field> fields) {
        int values = valuesKeyword(text, start, end);
        if (values < 0) {
            return null;
        }
        int columnsClose = text.lastIndexOf(')', values);
        int columnsOpen = columnsClose < start ? -1 : text.lastIndexOf('(', columnsClose);
        if (columnsOpen < start) {
            return null;
        }
        List<int[]> columns = cells(text, columnsOpen + 1, columnsClose, ',');
        int valuesOpen = text.indexOf('(', values);
        if (valuesOpen < 0 || valuesOpen >= end) {
            return columns;
        }
        sqlRow(text, valuesOpen, end, columns, fields);
        return null;
    }

    /** One row of values, {@code ('a', 'b', 3)}, starting at its parenthesis, under the insert's columns. */
    private static void sqlRow(String text, int open, int end, List<int[]> columns, List<Field> fields) {
        int k = 0;
        int i = open + 1;
        while (i < end && k < columns.size()) {
            while (i < end && text.charAt(i) == ' ') {
                i++;
            }
            int valueStart;
            int valueEnd;
            if (i < end && text.charAt(i) == '\'') {
                valueStart = i + 1;
                valueEnd = text.indexOf('\'', valueStart);
                if (valueEnd < 0 || valueEnd > end) {
                    return;
                }
                i = valueEnd + 1;
            } else {
                valueStart = i;
                while (i < end && text.charAt(i) != ',' && text.charAt(i) != ')') {
                    i++;
                }
                valueEnd = i;
            }
            int[] column = columns.get(k++);
            add(fields, text.substring(column[0], column[1]), text, valueStart, valueEnd);
            while (i < end && text.charAt(i) != ',' && text.charAt(i) != ')') {
                i++;
            }
            if (i >= end || text.charAt(i) == ')') {
                return;
            }
            i++;
        }
    }

    /** The fields of an HL7 v2 PID segment that identify the patient, under the names a reader would give them. */
    private static void hl7Patient(String text, int start, int end, List<Field> fields) {
        int field = 0;
        int fieldStart = start;
        for (int i = start; i <= end; i++) {
            if (i < end && text.charAt(i) != '|') {
                continue;
            }
            String label = switch (field) {
                case 3 -> "mrn";
                case 5 -> "patient name";
                case 7 -> "date of birth";
                case 11 -> "address";
                case 13, 14 -> "phone";
                case 19 -> "ssn";
                default -> null;
            };
            if (label != null && i > fieldStart) {
                int valueEnd = i;
                if (field == 3) {
                    int component = text.indexOf('^', fieldStart);
                    valueEnd = component >= 0 && component < i ? component : i;
                }
                while (valueEnd > fieldStart && text.charAt(valueEnd - 1) == '^') {
                    valueEnd--;
                }
                add(fields, label, text, fieldStart, valueEnd);
            }
            field++;
            fieldStart = i + 1;
        }
    }

    /**
     * Where the word {@code VALUES}, in any case, stands in {@code text[start, end)}, or -1. Asked of every line with
     * commas and a bracket, so only the positions of a {@code v} or {@code V} are compared (nothing else folds to
     * one), found by indexOf.
     */
    private static int valuesKeyword(String text, int start, int end) {
        String word = "values";
        int last = end - word.length();
        int lower = text.indexOf('v', start, end);
        int upper = text.indexOf('V', start, end);
        while (lower >= 0 || upper >= 0) {
            int i = lower >= 0 && (upper < 0 || lower < upper) ? lower : upper;
            if (i > last) {
                return -1;
            }
            if (text.regionMatches(true, i, word, 0, word.length())
                    && (i == start || !Chars.isLetter(text.charAt(i - 1)))
                    && (i + word.length() == end || !Chars.isLetter(text.charAt(i + word.length())))) {
                return i;
            }
            if (i == lower) {
                lower = text.indexOf('v', i + 1, end);
            } else {
                upper = text.indexOf('V', i + 1, end);
            }
        }
        return -1;
    }
}
