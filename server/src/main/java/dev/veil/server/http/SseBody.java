package dev.veil.server.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * The read-ahead buffer of a streamed upstream body, shared by its two readers: {@link SseReader} (events) and
 * {@link SseFrames} (raw frames, for a relay). Reads are sized by {@link UpstreamReadSize}.
 */
public abstract sealed class SseBody permits SseReader, SseFrames {
    final InputStream in;
    final byte[] buffer = new byte[UpstreamReadSize.MAX];
    private final UpstreamReadSize readSize = new UpstreamReadSize();
    int position;
    int limit;

    SseBody(InputStream in) {
        this.in = in;
    }

    /**
     * Reads and discards the rest of the body, at most {@code maxBytes} of it. Returns whether the body ended: only
     * a body read to its end lets the HTTP client return the connection to its pool.
     */
    public final boolean skipToEnd(int maxBytes) throws IOException {
        int skipped = limit - position;
        position = limit;
        while (skipped <= maxBytes) {
            int read = in.read(buffer, 0, readSize.next());
            if (read < 0) {
                return true;
            }
            readSize.observed(read);
            skipped += read;
        }
        return false;
    }

    /** Reads the next bytes of the body into the buffer; false at its end. */
    final boolean fill() throws IOException {
        limit = in.read(buffer, 0, readSize.next());
        position = 0;
        if (limit <= 0) {
            limit = 0;
            return false;
        }
        readSize.observed(limit);
        return true;
    }
}
