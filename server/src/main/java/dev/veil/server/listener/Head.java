package dev.veil.server.listener;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A message head: its start line and field lines, as they were on the wire (ISO-8859-1, so every byte survives). */
final class Head {
    private static final byte[] END = {'\r', '\n', '\r', '\n'};

    private final String startLine;
    private final List<String> fields;

    private Head(String startLine, List<String> fields) {
        this.startLine = startLine;
        this.fields = fields;
    }

    /**
     * Where the head in {@code bytes[0, length)} ends (just past its empty line), searching from {@code from}.
     *
     * @return the end, or -1 if the empty line has not arrived yet
     */
    static int end(byte[] bytes, int length, int from) {
        for (int index = Math.max(0, from); index + END.length <= length; index++) {
            if (bytes[index] == '\r' && bytes[index + 1] == '\n' && bytes[index + 2] == '\r' && bytes[index + 3] == '\n') {
                return index + END.length;
            }
        }
        return -1;
    }

    /** Parses a head that {@link #end} delimited: {@code bytes[0, length)} ends with its empty line. */
    static Head parse(byte[] bytes, int length) {
        String text = new String(bytes, 0, length - END.length, StandardCharsets.ISO_8859_1);
        List<String> lines = Arrays.asList(text.split("\r\n", -1));
        return new Head(lines.getFirst(), new ArrayList<>(lines.subList(1, lines.size())));
    }

    String startLine() {
        return startLine;
    }

    Head startLine(String line) {
        return new Head(line, fields);
    }

    boolean has(String name) {
        return fields.stream().anyMatch(field -> isNamed(field, name));
    }

    /** Every value of the field {@code name}, in order. */
    List<String> values(String name) {
        return fields.stream().filter(field -> isNamed(field, name))
                .map(field -> field.substring(field.indexOf(':') + 1).trim())
                .toList();
    }

    /** Whether a comma-separated field such as {@code Connection} lists {@code token}, ignoring case. */
    boolean hasToken(String name, String token) {
        return values(name).stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .anyMatch(item -> item.trim().equalsIgnoreCase(token));
    }

    /** The single length every {@code Content-Length} field agrees on, if the field is present and valid. */
    Optional<Long> contentLength() {
        List<Long> lengths = new ArrayList<>();
        for (String value : values("Content-Length")) {
            for (String item : value.split(",")) {
                String digits = item.trim();
                if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
                    return Optional.empty();
                }
                lengths.add(Long.parseLong(digits));
            }
        }
        return lengths.isEmpty() || lengths.stream().distinct().count() > 1 ? Optional.empty()
                : Optional.of(lengths.getFirst());
    }

    Head without(String name) {
        return new Head(startLine, new ArrayList<>(fields.stream().filter(field -> !isNamed(field, name)).toList()));
    }

    Head with(String name, String value) {
        List<String> more = new ArrayList<>(fields);
        more.add(name + ": " + value);
        return new Head(startLine, more);
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 32 * fields.size());
        out.writeBytes(startLine.getBytes(StandardCharsets.ISO_8859_1));
        out.write(END, 0, 2);
        for (String field : fields) {
            out.writeBytes(field.getBytes(StandardCharsets.ISO_8859_1));
            out.write(END, 0, 2);
        }
        out.write(END, 0, 2);
        return out.toByteArray();
    }

    private static boolean isNamed(String field, String name) {
        int colon = field.indexOf(':');
        return colon == name.length() && field.regionMatches(true, 0, name, 0, colon);
    }
}
