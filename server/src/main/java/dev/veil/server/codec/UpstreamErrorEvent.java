package dev.veil.server.codec;

/** An upstream reported an error inside a stream, as a data event instead of an HTTP status. */
public final class UpstreamErrorEvent extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient UpstreamError error;

    public UpstreamErrorEvent(UpstreamError error) {
        super("error event", null, false, false);
        this.error = error;
    }

    public UpstreamError error() {
        return error;
    }
}
