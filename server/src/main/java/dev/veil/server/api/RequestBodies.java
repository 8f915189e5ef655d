package dev.veil.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.webserver.http.ServerRequest;

/** Reads request bodies up to the configured limit; larger ones are a 413 before they are buffered. */
final class RequestBodies {
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
        try (InputStream in = request.content().inputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (body.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return body;
        } catch (IOException | UncheckedIOException e) {
            throw new VeilException(ErrorKind.INVALID_REQUEST, "the request body could not be read completely");
        }
    }

    private static VeilException tooLarge(long maxBytes) {
        return new VeilException(ErrorKind.PAYLOAD_TOO_LARGE, "the request body exceeds the limit of " + maxBytes
                + " bytes (veil.limits.max-request-bytes)").withCode("request_too_large");
    }
}
