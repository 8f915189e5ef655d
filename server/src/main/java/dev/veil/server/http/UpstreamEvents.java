package dev.veil.server.http;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.core.UpstreamException;

/**
 * The server-sent events of one streamed upstream answer, as a provider's chat stream reads them: transport failures
 * come out classified, and the end of the stream keeps the connection pooled only when the answer completed.
 */
public final class UpstreamEvents {
    private static final Logger LOGGER = Logger.getLogger(UpstreamEvents.class.getName());
    /** What may follow the last event before the body ends: the last chunk marker, perhaps a comment or two. */
    private static final int MAX_TRAILING_BYTES = 4096;

    private final String provider;
    private final UpstreamHttp http;
    private final UpstreamResponse response;
    private final SseReader events;

    /** The events of {@code response}; a response whose body cannot be read is aborted. */
    public static UpstreamEvents open(String provider, UpstreamHttp http, UpstreamResponse response)
            throws UpstreamException {
        try {
            return new UpstreamEvents(provider, http, response, http.events(response));
        } catch (RuntimeException e) {
            response.abort();
            throw http.classify(e);
        }
    }

    private UpstreamEvents(String provider, UpstreamHttp http, UpstreamResponse response, SseReader events) {
        this.provider = provider;
        this.http = http;
        this.response = response;
        this.events = events;
    }

    /** The next event, or {@code null} at the end of the body. */
    public SseReader.Event next() throws UpstreamException {
        try {
            return events.next();
        } catch (IOException | RuntimeException e) {
            throw http.classify(e);
        }
    }

    /**
     * Ends the stream, as {@link #release} does.
     *
     * @param complete whether the answer's last event has arrived
     * @param lastEvent that event's name, for the log line of a body that breaks after it
     */
    public void close(boolean complete, String lastEvent) {
        release(provider, response, events, complete, lastEvent);
    }

    /**
     * Ends a streamed answer read from {@code body}. After its last event only the end of the body remains; reading
     * it lets the connection go back to the pool instead of being closed. A stream that ended any other way, cut
     * off, failed or abandoned, closes its connection, which aborts the call.
     */
    public static void release(String provider, UpstreamResponse response, SseBody body, boolean complete,
                               String lastEvent) {
        if (complete) {
            try {
                body.skipToEnd(MAX_TRAILING_BYTES);
            } catch (IOException | RuntimeException e) {
                LOGGER.log(Level.FINE, "upstream " + provider + " broke after " + lastEvent + "; connection dropped");
            }
            response.close();
        } else {
            response.abort();
        }
    }
}
