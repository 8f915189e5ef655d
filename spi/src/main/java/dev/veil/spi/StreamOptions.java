package dev.veil.spi;

import java.util.Objects;

/**
 * Options of a streamed answer. Build them with {@link #of}: the canonical constructor gains a parameter whenever a
 * field is added.
 *
 * @param includeUsage whether the client wants a final event carrying the token usage
 * @param extensions unknown stream options
 */
public record StreamOptions(boolean includeUsage, Extensions extensions) {
    public StreamOptions {
        Objects.requireNonNull(extensions, "extensions");
    }

    /** Options that do or do not ask for a final usage event, without unknown options. */
    public static StreamOptions of(boolean includeUsage) {
        return new StreamOptions(includeUsage, Extensions.NONE);
    }

    /** A copy with other unknown options. */
    public StreamOptions withExtensions(Extensions newExtensions) {
        return new StreamOptions(includeUsage, newExtensions);
    }
}
