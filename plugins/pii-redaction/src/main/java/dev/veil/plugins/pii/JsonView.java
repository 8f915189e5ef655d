package dev.veil.plugins.pii;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import dev.veil.plugins.pii.detect.Finding;

/**
 * A JSON document (tool-call arguments) as its reader sees it: the contents of its strings decoded, so that
 * detectors read {@code Sjöberg} where the text says {@code Sj\u00f6berg} and a line break where it says {@code \n},
 * with the keys and punctuation around them left in place as context ({@code "name": "..."}). Each decoded character
 * remembers where it came from, so that a finding maps back to exactly the escape sequences it covers, and is kept
 * inside the one string it starts in: a placeholder never swallows a quote. Text that is not valid JSON, such as the
 * first half of a streamed document, is read the same way as far as it goes.
 *
 * <p>Keys are read, as the context of the value they name, but never rewritten: a changed key changes what the
 * document means to the program reading it. Neither are strings that carry binary data ({@code data:} URLs, long
 * runs of base64, as files and images in unknown fields are sent): a pattern found in them is a coincidence, and a
 * placeholder would corrupt the data.
 */
final class JsonView {
    /** A finding in the document: its span in the raw text, and the decoded value it stands for. */
    record Located(Finding raw, String value) {
    }

    private final String raw;
    private final String decoded;
    /** Decoded index to raw index; one more entry than {@code decoded} has characters. */
    private final int[] rawIndex;
    /** Decoded index to the number of the string it lies in, counted from 1; 0 outside strings. */
    private final int[] literal;
    /** The numbers of the strings never rewritten: keys, and binary data. */
    private final BitSet kept;

    private JsonView(String raw, String decoded, int[] rawIndex, int[] literal, BitSet kept) {
        this.raw = raw;
        this.decoded = decoded;
        this.rawIndex = rawIndex;
        this.literal = literal;
        this.kept = kept;
    }

    /** Base64 this long is data, not a secret: keys and tokens are far shorter. */
    private static final int BINARY_LENGTH = 256;

    static JsonView of(String raw) {
        StringBuilder decoded = new StringBuilder(raw.length() + 16);
        // Two more entries per multi-line string, for the line breaks put around it.
        int[] rawIndex = new int[raw.length() * 2 + 3];
        int[] literal = new int[raw.length() * 2 + 3];
        int strings = 0;
        int stringStart = 0;
        BitSet kept = new BitSet();
        boolean inString = false;
        boolean multiLine = false;
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            int at = decoded.length();
            rawIndex[at] = i;
            if (!inString) {
                decoded.append(c);
                i++;
                if (c == '"') {
                    inString = true;
                    strings++;
                    stringStart = i;
                    multiLine = holdsEscapedLineBreak(raw, i);
                    if (multiLine) {
                        // A text of several lines (a CSV export, a table, a letter) starts on a line of its own,
                        // so that its first row reads as a header, not as the end of a JSON key.
                        rawIndex[decoded.length()] = i;
                        decoded.append('\n');
                    }
                }
                continue;
            }
            if (c == '"') {
                inString = false;
                if (isKey(raw, i + 1) || isBinary(raw, stringStart, i)) {
                    kept.set(strings);
                }
                if (multiLine) {
                    decoded.append('\n');
                    rawIndex[decoded.length()] = i;
                }
                decoded.append(c);
                i++;
                continue;
            }
            literal[at] = strings;
            if (c != '\\' || i + 1 >= raw.length()) {
                decoded.append(c);
                i++;
                continue;
            }
            char e = raw.charAt(i + 1);
            int escaped = switch (e) {
                case '"', '\\', '/' -> e;
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'u' -> hex(raw, i + 2);
                default -> -1;
            };
            if (escaped < 0) {
                decoded.append(c);
                i++;
            } else {
                decoded.append((char) escaped);
                i += e == 'u' ? 6 : 2;
            }
        }
        rawIndex[decoded.length()] = raw.length();
        return new JsonView(raw, decoded.toString(), rawIndex, literal, kept);
    }

    /** Whether the string that closed just before {@code from} is an object's key. */
    private static boolean isKey(String raw, int from) {
        for (int i = from; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == ':') {
                return true;
            }
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return false;
            }
        }
        return false;
    }

    /** Whether the raw contents {@code [from, to)} of a string are binary data. */
    private static boolean isBinary(String raw, int from, int to) {
        if (raw.startsWith("data:", from)) {
            return true;
        }
        if (to - from < BINARY_LENGTH) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = raw.charAt(i);
            boolean base64 = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+'
                    || c == '/' || c == '=' || c == '-' || c == '_';
            if (!base64) {
                return false;
            }
        }
        return true;
    }

    /** Whether the string whose contents start at {@code from} holds an escaped line break before it closes. */
    private static boolean holdsEscapedLineBreak(String raw, int from) {
        for (int i = from; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                return false;
            }
            if (c == '\\' && i + 1 < raw.length()) {
                if (raw.charAt(i + 1) == 'n') {
                    return true;
                }
                i++;
            }
        }
        return false;
    }

    private static int hex(String raw, int from) {
        if (from + 4 > raw.length()) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + 4; i++) {
            int digit = Character.digit(raw.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    /** What the detectors read. */
    String decoded() {
        return decoded;
    }

    /**
     * The findings of the decoded text placed in the raw text, in order: each is cut to the part that lies in the
     * string it starts in (dropped if none does), and carries its decoded value.
     */
    List<Located> locate(List<Finding> inDecoded) {
        List<Located> located = new ArrayList<>(inDecoded.size());
        for (Finding finding : inDecoded) {
            int start = finding.start();
            int end = finding.end();
            while (start < end && (literal[start] == 0 || kept.get(literal[start]))) {
                start++;
            }
            if (start == end) {
                continue;
            }
            int cut = start;
            while (cut < end && literal[cut] == literal[start]) {
                cut++;
            }
            end = cut;
            while (end > start && Character.isWhitespace(decoded.charAt(end - 1))) {
                end--;
            }
            if (end > start) {
                located.add(new Located(new Finding(rawIndex[start], rawIndex[end], finding.type()),
                        decoded.substring(start, end)));
            }
        }
        return located;
    }

    /** The raw text. */
    String raw() {
        return raw;
    }
}
