package dev.veil.server.codec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an HTTP body whole, up to a limit, asking the stream for no more than the body is likely to hold. Helidon's
 * client allocates a fresh array of the size asked for on every read, and {@link InputStream#readNBytes(int)} asks
 * for 16 KiB at a time: a 600-byte answer cost two 16 KiB arrays on our side and two on Helidon's, most of the
 * garbage of a proxied request, and the young collections it caused were most of its p99.
 */
public final class BodyBytes {
    static final int UNDECLARED_START = 1024;

    private BodyBytes() {
    }

    /**
     * Reads {@code in} to its end. {@code declared} is the body's Content-Length, or a negative number when it has
     * none; it sizes the first read only, so a body that is longer (a decoded one) is still read whole. Stops once
     * more than {@code limit} bytes were read: a result longer than {@code limit} means the body is too large, and
     * the rest of it is left unread.
     */
    public static byte[] read(InputStream in, long declared, int limit) throws IOException {
        long cap = Math.min(declared >= 0 ? declared : UNDECLARED_START, limit + 1L);
        byte[] buffer = new byte[(int) cap];
        int filled = 0;
        while (true) {
            if (filled == buffer.length) {
                if (filled > limit) {
                    return buffer;
                }
                // One byte tells whether a body that filled its expected size goes on, without asking for a whole
                // new buffer's worth first.
                int next = in.read();
                if (next < 0) {
                    return buffer;
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(Math.max(2L * buffer.length, UNDECLARED_START),
                        limit + 1L));
                buffer[filled++] = (byte) next;
                continue;
            }
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                return filled == buffer.length ? buffer : Arrays.copyOf(buffer, filled);
            }
            filled += read;
        }
    }
}
