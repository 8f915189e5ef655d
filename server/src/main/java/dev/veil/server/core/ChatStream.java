package dev.veil.server.core;

import java.util.Optional;

import dev.veil.spi.ChatChunk;

/** A streamed answer being read from an upstream, one canonical event at a time. */
public interface ChatStream extends AutoCloseable {

    /** The next event, blocking until it arrives; empty once the stream has ended normally. */
    Optional<ChatChunk> next() throws UpstreamException;

    /** Releases the upstream connection, aborting the call if the stream has not ended. */
    @Override
    void close();
}
