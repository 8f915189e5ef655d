package dev.veil.server.listener;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;

import io.helidon.common.buffers.DataReader;
import io.helidon.webserver.CloseConnectionException;

/**
 * The request bytes Helidon's HTTP/1.1 connection reads on a connection that began with an HTTP/1.0 request: each
 * HTTP/1.0 head is handed on as HTTP/1.1 with what that implies made explicit ({@code Connection: close} unless the
 * client asked for keep-alive, a {@code Host} when the client sent none, no {@code Expect}, which an HTTP/1.0 request
 * must not act on: RFC 9110 §10.1.1). Bodies pass unchanged, cut at the request's end so that the next request is
 * only read once the response to this one is written; a connection whose last response must be ended by closing
 * ends there.
 *
 * <p>A head it cannot frame (too long, a malformed length) passes through as it came, for Helidon to refuse. A chunked
 * body whose framing breaks, or whose chunks declare more than a body may carry, fails the read of it with a
 * {@link ClientReadException}, and nothing after it is read: the rest cannot be told from a next request.
 */
final class RequestTranslator implements Supplier<byte[]> {
    private enum Mode { HEAD, LENGTH, CHUNKED, AS_IS, FAILED }

    private final DataReader in;
    private final String localAuthority;
    private final int maxHeadLength;
    private final long maxBodyBytes;
    private byte[] pending = new byte[0];
    private int pendingOffset;
    private byte[] head = new byte[512];
    private int headLength;
    private Mode mode = Mode.HEAD;
    private long remaining;
    private ChunkedBody chunked;
    private volatile ResponseTranslator response = ResponseTranslator.passThrough();

    /**
     * @param in             the connection's own reader
     * @param localAuthority the {@code Host} for requests that name none: the address the client connected to
     * @param maxHeadLength  past this a head is handed on as it came, for Helidon's own limits to refuse
     * @param maxBodyBytes   the most data the chunks of one body may declare
     */
    RequestTranslator(DataReader in, String localAuthority, int maxHeadLength, long maxBodyBytes) {
        this.in = in;
        this.localAuthority = localAuthority;
        this.maxHeadLength = maxHeadLength;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** How to write the response to the request whose head was handed on last. */
    ResponseTranslator response() {
        return response;
    }

    @Override
    public byte[] get() {
        if (mode == Mode.FAILED) {
            throw new CloseConnectionException("Not reading past a failed request body");
        }
        if (mode == Mode.HEAD && response.closesConnection() || !fill()) {
            return null;
        }
        return switch (mode) {
            case HEAD -> head();
            case LENGTH -> {
                int count = (int) Math.min(remaining, pending.length - pendingOffset);
                remaining -= count;
                if (remaining == 0) {
                    mode = Mode.HEAD;
                }
                yield take(count);
            }
            case CHUNKED -> chunk();
            case AS_IS -> take(pending.length - pendingOffset);
            case FAILED -> throw new IllegalStateException("A failed body is not read");
        };
    }

    private byte[] head() {
        while (true) {
            int count = Math.min(pending.length - pendingOffset, maxHeadLength - headLength);
            if (headLength + count > head.length) {
                head = Arrays.copyOf(head, Math.max(head.length * 2, headLength + count));
            }
            System.arraycopy(pending, pendingOffset, head, headLength, count);
            int end = Head.end(head, headLength + count, headLength - 3);
            if (end >= 0) {
                pendingOffset += end - headLength;
                headLength = 0;
                return translate(Head.parse(head, end), Arrays.copyOf(head, end));
            }
            pendingOffset += count;
            headLength += count;
            if (headLength == maxHeadLength || !fill()) {
                mode = Mode.AS_IS;
                byte[] partial = Arrays.copyOf(head, headLength);
                headLength = 0;
                return partial;
            }
        }
    }

    private byte[] translate(Head request, byte[] asSent) {
        Optional<Long> length = request.contentLength();
        boolean chunkedBody = request.has("Transfer-Encoding");
        if (chunkedBody ? request.has("Content-Length") : request.has("Content-Length") && length.isEmpty()) {
            mode = Mode.AS_IS;
        } else if (chunkedBody) {
            mode = Mode.CHUNKED;
            chunked = new ChunkedBody(maxBodyBytes);
        } else {
            remaining = length.orElse(0L);
            mode = remaining == 0 ? Mode.HEAD : Mode.LENGTH;
        }
        String line = request.startLine();
        if (!line.endsWith(" HTTP/1.0")) {
            response = ResponseTranslator.passThrough();
            return asSent;
        }
        // An HTTP/1.0 message with Transfer-Encoding has faulty framing: close once it is answered (RFC 9112 §6.1).
        boolean keepAlive = mode != Mode.AS_IS && !chunkedBody && request.hasToken("Connection", "keep-alive")
                && !request.hasToken("Connection", "close");
        Head rewritten = request.startLine(line.substring(0, line.length() - "1.0".length()) + "1.1").without("Expect");
        if (!request.has("Host")) {
            rewritten = rewritten.with("Host", localAuthority);
        }
        if (!keepAlive) {
            rewritten = rewritten.with("Connection", "close");
        }
        response = ResponseTranslator.forHttp10(keepAlive);
        return rewritten.bytes();
    }

    private byte[] chunk() {
        try {
            int count = chunked.read(pending, pendingOffset, pending.length - pendingOffset, (bytes, offset, length) -> {
            });
            if (chunked.ended()) {
                mode = Mode.HEAD;
            }
            return take(count);
        } catch (ChunkedBody.TooLarge e) {
            mode = Mode.FAILED;
            throw new ClientReadException(413, "the request body's chunks declare more than "
                    + "veil.limits.max-request-bytes allows");
        } catch (IllegalArgumentException e) {
            mode = Mode.FAILED;
            throw new ClientReadException(400, "the request body's chunked framing is malformed ("
                    + e.getMessage().toLowerCase(java.util.Locale.ROOT) + ")");
        }
    }

    /** Makes sure some bytes are pending; false once the client has closed its side. */
    private boolean fill() {
        if (pendingOffset < pending.length) {
            return true;
        }
        try {
            in.ensureAvailable();
        } catch (DataReader.InsufficientDataAvailableException e) {
            return false;
        }
        pending = in.readBytes(in.available());
        pendingOffset = 0;
        return true;
    }

    private byte[] take(int count) {
        byte[] taken = Arrays.copyOfRange(pending, pendingOffset, pendingOffset + count);
        pendingOffset += count;
        return taken;
    }
}
