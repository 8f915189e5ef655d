package dev.veil.server.api.openai;

import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.core.SafeThrowables;
import dev.veil.server.pipeline.RequestBodies;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Answers failures in OpenAI's error shape. Logs carry the request id and error kind, never request content. */
public final class ErrorResponder {
    private static final Logger LOGGER = Logger.getLogger(ErrorResponder.class.getName());

    private ErrorResponder() {
    }

    /** Sends {@code error} unless a response has already started. */
    public static void send(ServerResponse response, VeilException error) {
        if (response.isSent()) {
            return;
        }
        response.status(Status.create(error.status()));
        headers(response, error);
        response.send(OpenAiWriter.error(error));
    }

    /**
     * The headers every error answer carries, whatever its shape: JSON, {@code Retry-After} when the client should
     * retry, and {@code Connection: close} when the request body was left unread (what follows it on the connection
     * cannot be told from a next request).
     */
    public static void headers(ServerResponse response, VeilException error) {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        error.retryAfterSeconds().ifPresent(seconds -> response.header(VeilHeaders.RETRY_AFTER,
                Long.toString(seconds)));
        if (RequestBodies.leavesBodyUnread(error)) {
            response.header(HeaderValues.CONNECTION_CLOSE);
        }
    }

    /**
     * The last resort for anything no handler mapped: a 500 that names the request id, and a log entry with the
     * exception's type and stack but not its message, which may quote request content.
     */
    public static void unexpected(ServerRequest request, ServerResponse response, Throwable failure) {
        String requestId = response.headers().first(VeilHeaders.REQUEST_ID).orElse("-");
        if (LOGGER.isLoggable(Level.SEVERE)) {
            LOGGER.severe("request " + requestId + " failed unexpectedly: " + SafeThrowables.describe(failure));
        }
        send(response, new VeilException(ErrorKind.INTERNAL, "Veil failed to process the request; quote request id "
                + requestId + " when reporting it"));
    }
}
