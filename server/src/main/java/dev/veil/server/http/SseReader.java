package dev.veil.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads server-sent events from an upstream body as they arrive, following the WHATWG event-stream rules that
 * matter here: {@code data} lines joined by newlines, {@code event} names, comments ignored, and an event dispatched
 * at each blank line. Data stays in bytes, because its consumer is a JSON parser that reads bytes fastest; a
 * multi-byte character split across reads is therefore never an issue.
 *
 * <p>An event's lines, comments and terminators included, may take at most {@code maxEventBytes} between two blank
 * lines: past that the reader throws {@link EventTooLargeException} before buffering more, so that an upstream that
 * never sends a newline cannot fill the heap.
 */
public final class SseReader extends SseBody {
    private static final byte[] NO_DATA = new byte[0];

    /**
     * One event.
     *
     * @param name the event's {@code event} field, {@code message} when absent
     * @param data its {@code data} lines joined by {@code \n}, as UTF-8
     */
    public record Event(String name, byte[] data) {
        /** Whether the data is exactly {@code text}, which must be ASCII. */
        public boolean dataIs(String text) {
            if (data.length != text.length()) {
                return false;
            }
            for (int i = 0; i < data.length; i++) {
                if (data[i] != text.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Event event && name.equals(event.name) && Arrays.equals(data, event.data);
        }

        @Override
        public int hashCode() {
            return 31 * name.hashCode() + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Event[" + name + ", " + data.length + " bytes]";
        }
    }

    private final int maxEventBytes;
    private byte[] line = new byte[256];
    private int lineLength;
    /** The bytes of the event being read, up to the current line. */
    private int eventBytes;

    public SseReader(InputStream in, int maxEventBytes) {
        super(in);
        this.maxEventBytes = maxEventBytes;
    }

    /** The next event, or {@code null} at the end of the body. */
    public Event next() throws IOException {
        byte[] data = null;
        String name = null;
        eventBytes = 0;
        while (true) {
            if (!readLine()) {
                return data == null ? null : new Event(name == null ? "message" : name, data);
            }
            if (lineLength == 0) {
                if (data != null) {
                    return new Event(name == null ? "message" : name, data);
                }
                name = null;
                eventBytes = 0;
                continue;
            }
            eventBytes += lineLength + 1;
            if (line[0] == ':') {
                continue;
            }
            int colon = indexOfColon();
            int valueStart = colon < 0 ? lineLength
                    : colon + 1 < lineLength && line[colon + 1] == ' ' ? colon + 2 : colon + 1;
            int fieldLength = colon < 0 ? lineLength : colon;
            if (fieldIs(fieldLength, "data")) {
                data = data == null ? Arrays.copyOfRange(line, valueStart, lineLength)
                        : append(data, valueStart);
            } else if (fieldIs(fieldLength, "event")) {
                name = new String(line, valueStart, lineLength - valueStart, StandardCharsets.UTF_8);
            }
        }
    }

    private int indexOfColon() {
        for (int i = 0; i < lineLength; i++) {
            if (line[i] == ':') {
                return i;
            }
        }
        return -1;
    }

    private boolean fieldIs(int length, String field) {
        if (length != field.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (line[i] != field.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private byte[] append(byte[] data, int valueStart) {
        int valueLength = lineLength - valueStart;
        byte[] joined = Arrays.copyOf(data, data.length + 1 + valueLength);
        joined[data.length] = '\n';
        System.arraycopy(line, valueStart, joined, data.length + 1, valueLength);
        return joined;
    }

    /** Reads the next line into {@code line}; false at the end of the body with nothing read. */
    private boolean readLine() throws IOException {
        lineLength = 0;
        while (true) {
            if (position == limit && !fill()) {
                return lineLength > 0;
            }
            int end = position;
            while (end < limit && buffer[end] != '\n' && buffer[end] != '\r') {
                end++;
            }
            appendToLine(position, end - position);
            position = end;
            if (end == limit) {
                continue;
            }
            if (buffer[position++] == '\r') {
                if (position == limit && !fill()) {
                    return true;
                }
                if (buffer[position] == '\n') {
                    position++;
                }
            }
            return true;
        }
    }

    private void appendToLine(int from, int length) throws EventTooLargeException {
        if ((long) eventBytes + lineLength + length > maxEventBytes) {
            throw new EventTooLargeException(maxEventBytes);
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, Math.min(Math.max(line.length * 2, lineLength + length), maxEventBytes));
        }
        System.arraycopy(buffer, from, line, lineLength, length);
        lineLength += length;
    }
}
