package dev.veil.server.api;

import java.io.IOException;
import java.io.InputStream;

import dev.veil.server.wire.BodyBytes;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads request bodies up to the configured limit; larger ones are a 413 before they are buffered. Memory follows the
 * bytes that arrived, not the size a client declared: a body is read into one array of its declared size only when
 * that is small, else into an array that grows as data comes, so a client that declares 32 MiB and sends one byte
 * costs {@value #EXACT_UP_TO} bytes, not 32 MiB.
 */
final class RequestBodies {
    /** Bodies declared this small are read into one exactly sized array: the usual request, with no copy. */
    static final int EXACT_UP_TO = 64 * 1024;

    private RequestBodies() {
    }

    static byte[] read(ServerRequest request, long maxBytes) {
        var declared = request.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        if (!request.content().hasEntity()) {
            return new byte[0];
        }
        byte[] body;
        try (InputStream in = request.content().inputStream()) {
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
        } catch (IOException | RuntimeException e) {
            // Helidon reports a body cut short (client hung up, Content-Length lied) with its own runtime types.
            throw new VeilException(ErrorKind.INVALID_REQUEST, "the request body could not be read completely");
        }
        if (body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return body;
    }

    private static VeilException tooLarge(long maxBytes) {
        return new VeilException(ErrorKind.PAYLOAD_TOO_LARGE, "the request body exceeds the limit of " + maxBytes
                + " bytes (veil.limits.max-request-bytes)").withCode("request_too_large");
    }
}
