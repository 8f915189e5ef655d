package dev.veil.server.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads lines of UTF-8 from an upstream (stdio messages, SSE fields), each at most a bound long: a server that sends
 * an endless line costs Veil that bound, then an {@link IOException}.
 */
final class Lines {
    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[8192];
    private int start;
    private int end;

    Lines(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line without its line break ({@code \n} or {@code \r\n}); empty at the end of the stream. */
    Optional<String> next() throws IOException {
        byte[] line = new byte[256];
        int length = 0;
        while (true) {
            if (start == end) {
                end = in.read(buffer);
                start = 0;
                if (end <= 0) {
                    end = 0;
                    return length == 0 ? Optional.empty() : Optional.of(decode(line, length));
                }
            }
            byte b = buffer[start++];
            if (b == '\n') {
                return Optional.of(decode(line, length));
            }
            if (length == maxBytes) {
                throw new IOException("a line longer than " + maxBytes + " bytes");
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(line.length * 2, maxBytes));
            }
            line[length++] = b;
        }
    }

    private static String decode(byte[] line, int length) {
        int n = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        return new String(line, 0, n, StandardCharsets.UTF_8);
    }
}
