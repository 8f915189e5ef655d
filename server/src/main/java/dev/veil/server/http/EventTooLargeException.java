package dev.veil.server.http;

import java.io.IOException;

/**
 * An upstream's event stream held an event, or a line, larger than {@code veil.limits.max-upstream-event-bytes}: the
 * reader stopped before buffering more of it, and the stream cannot go on. The message names the bound, never content.
 */
public final class EventTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    EventTooLargeException(int limit) {
        super("an event of the stream is larger than veil.limits.max-upstream-event-bytes (" + limit + " bytes)");
    }
}
