package dev.veil.server.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

import dev.veil.server.codec.BodyBytes;
import dev.veil.server.listener.ClientReadException;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads request bodies up to the configured limit; larger ones are a 413 before they are buffered. Memory follows the
 * bytes that arrived, not the size a client declared: a body is read into one array of its declared size only when
 * that is small, else into an array that grows as data comes, so a client that declares 32 MiB and sends one byte
 * costs {@value #EXACT_UP_TO} bytes, not 32 MiB.
 *
 * <p>A body that cannot be read (cut short, malformed framing, not arriving in time: 408) is not read further, and
 * its answer closes the connection: what follows it on the connection cannot be told from a next request.
 */
public final class RequestBodies {
    /** Bodies declared this small are read into one exactly sized array: the usual request, with no copy. */
    static final int EXACT_UP_TO = 64 * 1024;

    private static final Set<String> UNREAD_BODY_CODES = Set.of("request_timeout", "invalid_request_body",
            "request_too_large");

    private RequestBodies() {
    }

    public static byte[] read(ServerRequest request, long maxBytes) {
        var declared = request.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        if (!request.content().hasEntity()) {
            return new byte[0];
        }
        byte[] body;
        try {
            InputStream in = request.content().inputStream();
            if (declared.isPresent() && declared.getAsLong() <= EXACT_UP_TO) {
                body = new byte[(int) declared.getAsLong()];
                if (in.readNBytes(body, 0, body.length) < body.length) {
                    throw new IOException("body shorter than its Content-Length");
                }
            } else {
                body = BodyBytes.read(in, declared.isPresent() ? EXACT_UP_TO : -1,
                        (int) Math.min(Integer.MAX_VALUE - 9, maxBytes));
                if (declared.isPresent() && body.length != declared.getAsLong() && body.length <= maxBytes) {
                    throw new IOException("body length differs from its Content-Length");
                }
            }
            // Only a body read to its end is closed: closing reads what is left, and a broken body has no end.
            if (body.length <= maxBytes) {
                in.close();
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable(e, maxBytes);
        }
        if (body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return body;
    }

    /** Whether answering {@code error} leaves a request body unread, so that the connection must close after it. */
    public static boolean leavesBodyUnread(VeilException error) {
        return error.code().filter(UNREAD_BODY_CODES::contains).isPresent();
    }

    /** Helidon reports a body cut short (client hung up, Content-Length lied) with its own runtime types. */
    private static VeilException unreadable(Exception failure, long maxBytes) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ClientReadException read) {
                return switch (read.status()) {
                    case 408 -> VeilException.clientError(408, ErrorKind.INVALID_REQUEST.type(), read.getMessage(),
                            "request_timeout", null);
                    case 413 -> tooLarge(maxBytes);
                    default -> new VeilException(ErrorKind.INVALID_REQUEST, read.getMessage())
                            .withCode("invalid_request_body");
                };
            }
        }
        return new VeilException(ErrorKind.INVALID_REQUEST, "the request body could not be read completely")
                .withCode("invalid_request_body");
    }

    private static VeilException tooLarge(long maxBytes) {
        return new VeilException(ErrorKind.PAYLOAD_TOO_LARGE, "the request body exceeds the limit of " + maxBytes
                + " bytes (veil.limits.max-request-bytes)").withCode("request_too_large");
    }
}
