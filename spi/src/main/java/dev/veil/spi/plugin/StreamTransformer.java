package dev.veil.spi.plugin;

import dev.veil.spi.ChatChunk;

/**
 * The per-stream state of a {@link StreamPhase} plugin. It sees each event once, in order, and decides what goes on:
 * the event unchanged, a changed event, several events, or nothing yet (held back, for example until a placeholder
 * split across events is complete). Only one thread calls it, so it needs no synchronisation.
 */
public interface StreamTransformer {
    /** A transformer that passes every event on unchanged; Veil skips it entirely. */
    StreamTransformer PASS_THROUGH = (event, sink) -> sink.emit(event);

    /**
     * One event from upstream (or from the previous transformer).
     *
     * @param event the event
     * @param sink where to pass events on; call it zero, one or more times
     */
    void onEvent(ChatChunk event, StreamSink sink);

    /**
     * The stream ended normally; emit anything still held back. Not called when the stream fails or the client goes
     * away: the completion phase sees those.
     *
     * @param sink where to pass remaining events on
     */
    default void onComplete(StreamSink sink) {
    }
}
