package dev.veil.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Cuts an upstream event stream into its events as raw bytes, each with the blank line that ends it, so that a relay
 * can send the client exactly what the upstream sent while still reading each event ({@link #parse}). Lines may end
 * in {@code \n} or {@code \r\n}. A frame longer than {@code maxEventBytes} ends the stream with an
 * {@link EventTooLargeException}, before more of it is buffered.
 */
public final class SseFrames extends SseBody {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private final int maxEventBytes;

    public SseFrames(InputStream in, int maxEventBytes) {
        super(in);
        this.maxEventBytes = maxEventBytes;
    }

    /** The next event's bytes, blank line included; {@code null} at the end of the body with nothing left. */
    public byte[] next() throws IOException {
        // Scans the buffer in place and copies whole runs: an event usually lies within one read, and is one copy.
        byte[] frame = null;
        int size = 0;
        int lineLength = 0;
        boolean content = false;
        while (true) {
            if (position == limit && !fill()) {
                return size == 0 ? null : Arrays.copyOf(frame, size);
            }
            int start = position;
            int end = -1;
            for (int i = start; i < limit; i++) {
                byte b = buffer[i];
                if (b == '\n') {
                    if (lineLength == 0 && content) {
                        end = i + 1;
                        break;
                    }
                    content |= lineLength > 0;
                    lineLength = 0;
                } else if (b != '\r') {
                    lineLength++;
                }
            }
            int stop = end < 0 ? limit : end;
            int length = stop - start;
            if ((long) size + length > maxEventBytes) {
                throw new EventTooLargeException(maxEventBytes);
            }
            position = stop;
            if (end >= 0 && size == 0) {
                return Arrays.copyOfRange(buffer, start, stop);
            }
            if (frame == null || size + length > frame.length) {
                frame = Arrays.copyOf(frame == null ? new byte[0] : frame,
                        (int) Math.min(maxEventBytes, 2L * (size + length)));
            }
            System.arraycopy(buffer, start, frame, size, length);
            size += length;
            if (end >= 0) {
                return Arrays.copyOf(frame, size);
            }
        }
    }

    /** The event whose only field is {@code data: json}, framed as OpenAI frames its stream events. */
    public static byte[] data(byte[] json) {
        byte[] frame = new byte[DATA.length + json.length + 2];
        System.arraycopy(DATA, 0, frame, 0, DATA.length);
        System.arraycopy(json, 0, frame, DATA.length, json.length);
        frame[frame.length - 2] = '\n';
        frame[frame.length - 1] = '\n';
        return frame;
    }

    /**
     * The event a frame ({@link #next}) holds, read in place by {@link SseReader}'s rules; empty for a frame of
     * comments only.
     */
    public static Optional<SseReader.Event> parse(byte[] frame) {
        byte[] data = null;
        String name = null;
        int at = 0;
        while (at < frame.length) {
            int end = at;
            while (end < frame.length && frame[end] != '\n' && frame[end] != '\r') {
                end++;
            }
            if (end == at) {
                if (data != null) {
                    break;
                }
                name = null;
            } else if (frame[at] != ':') {
                int colon = at;
                while (colon < end && frame[colon] != ':') {
                    colon++;
                }
                int valueStart = colon == end ? end : colon + 1 < end && frame[colon + 1] == ' ' ? colon + 2
                        : colon + 1;
                if (fieldIs(frame, at, colon, "data")) {
                    data = data == null ? Arrays.copyOfRange(frame, valueStart, end)
                            : joined(data, frame, valueStart, end);
                } else if (fieldIs(frame, at, colon, "event")) {
                    name = new String(frame, valueStart, end - valueStart, StandardCharsets.UTF_8);
                }
            }
            at = end < frame.length && frame[end] == '\r' && end + 1 < frame.length && frame[end + 1] == '\n'
                    ? end + 2 : end + 1;
        }
        return data == null ? Optional.empty()
                : Optional.of(new SseReader.Event(name == null ? "message" : name, data));
    }

    private static boolean fieldIs(byte[] frame, int from, int to, String field) {
        if (to - from != field.length()) {
            return false;
        }
        for (int i = 0; i < field.length(); i++) {
            if (frame[from + i] != field.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] joined(byte[] data, byte[] frame, int from, int to) {
        byte[] joined = Arrays.copyOf(data, data.length + 1 + to - from);
        joined[data.length] = '\n';
        System.arraycopy(frame, from, joined, data.length + 1, to - from);
        return joined;
    }
}
