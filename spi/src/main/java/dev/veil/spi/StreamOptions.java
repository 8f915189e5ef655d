package dev.veil.spi;

import java.util.Objects;

/**
 * Options of a streamed answer.
 *
 * @param includeUsage whether the client wants a final event carrying the token usage
 * @param extensions unknown stream options
 */
public record StreamOptions(boolean includeUsage, Extensions extensions) {
    public StreamOptions {
        Objects.requireNonNull(extensions, "extensions");
    }
}
