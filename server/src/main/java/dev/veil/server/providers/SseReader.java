package dev.veil.server.providers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads server-sent events from an upstream body as they arrive, following the WHATWG event-stream rules that
 * matter here: {@code data} lines joined by newlines, {@code event} names, comments ignored, and an event dispatched
 * at each blank line. Lines are decoded once they are complete, so UTF-8 split across reads is safe.
 */
public final class SseReader {
    /** One event. */
    public record Event(String name, String data) {
    }

    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private byte[] line = new byte[256];
    private int lineLength;

    public SseReader(InputStream in) {
        this.in = in;
    }

    /** The next event, or {@code null} at the end of the body. */
    public Event next() throws IOException {
        StringBuilder data = null;
        String name = null;
        while (true) {
            String text = readLine();
            if (text == null) {
                return data == null ? null : new Event(name == null ? "message" : name, data.toString());
            }
            if (text.isEmpty()) {
                if (data != null) {
                    return new Event(name == null ? "message" : name, data.toString());
                }
                name = null;
                continue;
            }
            if (text.charAt(0) == ':') {
                continue;
            }
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = colon < 0 ? "" : text.substring(colon + 1 < text.length() && text.charAt(colon + 1) == ' '
                    ? colon + 2 : colon + 1);
            if (field.equals("data")) {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            } else if (field.equals("event")) {
                name = value;
            }
        }
    }

    private String readLine() throws IOException {
        lineLength = 0;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return lineLength == 0 ? null : decodeLine();
                }
            }
            byte b = buffer[position++];
            if (b == '\n') {
                return decodeLine();
            }
            if (b == '\r') {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return decodeLine();
                    }
                }
                if (buffer[position] == '\n') {
                    position++;
                }
                return decodeLine();
            }
            if (lineLength == line.length) {
                line = Arrays.copyOf(line, line.length * 2);
            }
            line[lineLength++] = b;
        }
    }

    private String decodeLine() {
        return new String(line, 0, lineLength, StandardCharsets.UTF_8);
    }
}
