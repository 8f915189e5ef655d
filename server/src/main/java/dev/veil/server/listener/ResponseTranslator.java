package dev.veil.server.listener;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

import io.helidon.common.buffers.BufferData;

/**
 * Rewrites the HTTP/1.1 response Helidon writes for one HTTP/1.0 request into one that client can read (RFC 9112
 * §9.3): a chunked body loses its framing and is ended by closing the connection instead, interim (1xx) responses are
 * dropped, and {@code Connection} says whether the connection stays open. The status line keeps {@code HTTP/1.1}, the
 * version a server conforms to (RFC 9110 §2.5). Responses to other requests pass through untouched.
 */
final class ResponseTranslator {
    private static final ResponseTranslator PASS_THROUGH = new ResponseTranslator(false, false);
    /** Far beyond any head Helidon writes; past it the response passes through as it is, and the connection closes. */
    private static final int MAX_HEAD_LENGTH = 64 * 1024;

    private enum State { HEAD, LENGTH, CHUNKED, CLOSE_DELIMITED, DONE }

    private final boolean translates;
    private final boolean keepAliveAllowed;
    private volatile boolean closesConnection;
    private State state = State.HEAD;
    private byte[] head = new byte[512];
    private int headLength;
    private long remaining;
    private ChunkedBody chunked;

    private ResponseTranslator(boolean translates, boolean keepAliveAllowed) {
        this.translates = translates;
        this.keepAliveAllowed = keepAliveAllowed;
        this.closesConnection = translates && !keepAliveAllowed;
    }

    /** For a request that is not HTTP/1.0: its response is written as Helidon made it. */
    static ResponseTranslator passThrough() {
        return PASS_THROUGH;
    }

    /**
     * For an HTTP/1.0 request; the connection stays open after its response only if {@code keepAliveAllowed} (the
     * client asked) and the response has a length.
     */
    static ResponseTranslator forHttp10(boolean keepAliveAllowed) {
        return new ResponseTranslator(true, keepAliveAllowed);
    }

    /** Whether the connection must close once this response is written: its end is the connection's end. */
    boolean closesConnection() {
        return closesConnection;
    }

    /** The bytes to send for the next piece of the response as Helidon wrote it; may be empty. */
    BufferData translate(BufferData written) {
        if (!translates) {
            return written;
        }
        byte[] bytes = new byte[written.available()];
        written.read(bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 64);
        int index = 0;
        while (index < bytes.length) {
            index += switch (state) {
                case HEAD -> head(bytes, index, out);
                case LENGTH -> {
                    int count = (int) Math.min(remaining, bytes.length - index);
                    out.write(bytes, index, count);
                    remaining -= count;
                    if (remaining == 0) {
                        state = State.DONE;
                    }
                    yield count;
                }
                case CHUNKED -> {
                    int count = chunked.read(bytes, index, bytes.length - index, out::write);
                    if (chunked.ended()) {
                        state = State.DONE;
                    }
                    yield count;
                }
                case CLOSE_DELIMITED, DONE -> {
                    out.write(bytes, index, bytes.length - index);
                    yield bytes.length - index;
                }
            };
        }
        return BufferData.create(out.toByteArray());
    }

    /** Collects the head until its empty line; returns how many of the bytes from {@code index} it took. */
    private int head(byte[] bytes, int index, ByteArrayOutputStream out) {
        int count = Math.min(bytes.length - index, MAX_HEAD_LENGTH - headLength);
        if (headLength + count > head.length) {
            head = Arrays.copyOf(head, Math.max(head.length * 2, headLength + count));
        }
        System.arraycopy(bytes, index, head, headLength, count);
        int end = Head.end(head, headLength + count, headLength - 3);
        if (end < 0) {
            headLength += count;
            if (headLength == MAX_HEAD_LENGTH) {
                out.write(head, 0, headLength);
                closesConnection = true;
                state = State.CLOSE_DELIMITED;
            }
            return count;
        }
        int taken = end - headLength;
        headLength = 0;
        Head response = Head.parse(head, end);
        if (!response.startLine().matches("HTTP/\\d\\.\\d 1\\d\\d( .*)?")) {
            out.writeBytes(rewrite(response));
        }
        return taken;
    }

    private byte[] rewrite(Head response) {
        Head rewritten = response.without("Connection").without("Keep-Alive");
        Optional<Long> length = response.contentLength();
        boolean close;
        if (response.hasToken("Transfer-Encoding", "chunked")) {
            rewritten = rewritten.without("Transfer-Encoding").without("Trailer");
            chunked = new ChunkedBody();
            state = State.CHUNKED;
            close = true;
        } else if (length.isPresent() && !response.has("Transfer-Encoding")) {
            remaining = length.get();
            state = remaining == 0 ? State.DONE : State.LENGTH;
            close = !keepAliveAllowed || response.hasToken("Connection", "close");
        } else {
            state = State.CLOSE_DELIMITED;
            close = true;
        }
        if (close) {
            closesConnection = true;
        }
        return rewritten.with("Connection", close ? "close" : "keep-alive").bytes();
    }
}
