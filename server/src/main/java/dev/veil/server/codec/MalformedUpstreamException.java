package dev.veil.server.codec;

/** An upstream answered with something that cannot be read as its wire format. */
public final class MalformedUpstreamException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedUpstreamException(String message) {
        super(message, null, false, false);
    }
}
