package dev.veil.server.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
        ByteArrayOutputStream frame = new ByteArrayOutputStream(256);
        int size = 0;
        int lineLength = 0;
        boolean content = false;
        while (true) {
            if (position == limit && !fill()) {
                return frame.size() == 0 ? null : frame.toByteArray();
            }
            if (size++ == maxEventBytes) {
                throw new EventTooLargeException(maxEventBytes);
            }
            byte b = buffer[position++];
            frame.write(b);
            if (b == '\n') {
                if (lineLength == 0 && content) {
                    return frame.toByteArray();
                }
                content |= lineLength > 0;
                lineLength = 0;
            } else if (b != '\r') {
                lineLength++;
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

    /** The event a frame holds; empty for a frame of comments only. */
    public static Optional<SseReader.Event> parse(byte[] frame) throws IOException {
        return Optional.ofNullable(new SseReader(new ByteArrayInputStream(frame), frame.length).next());
    }
}
