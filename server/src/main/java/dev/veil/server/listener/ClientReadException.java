package dev.veil.server.listener;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reading a request body from the client failed for a reason the client must hear about: the body stopped arriving in
 * time (408), its chunked framing is broken (400), or its chunks declare more than a request may carry (413). It is
 * what a handler's read of the body throws; the message is safe to show the client and names the limit that was hit.
 * After it, the connection cannot be trusted to hold a next request and is closed once the answer is written.
 */
public final class ClientReadException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    ClientReadException(int status, String message) {
        super(message, new IOException(message));
        this.status = status;
    }

    /** The HTTP status to answer with: 400, 408 or 413. */
    public int status() {
        return status;
    }
}
