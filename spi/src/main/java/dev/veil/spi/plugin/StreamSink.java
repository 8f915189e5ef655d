package dev.veil.spi.plugin;

import dev.veil.spi.ChatChunk;

/** Where a {@link StreamTransformer} passes events on. */
@FunctionalInterface
public interface StreamSink {
    /** Passes {@code event} to the next transformer, or to the client after the last one. */
    void emit(ChatChunk event);
}
