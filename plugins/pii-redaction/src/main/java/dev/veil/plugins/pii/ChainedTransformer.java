package dev.veil.plugins.pii;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.plugin.StreamSink;
import dev.veil.spi.plugin.StreamTransformer;

/** Two stream transformers of one plugin, the first feeding the second. */
record ChainedTransformer(StreamTransformer first, StreamTransformer second) implements StreamTransformer {
    @Override
    public void onEvent(ChatChunk event, StreamSink sink) {
        first.onEvent(event, passed -> second.onEvent(passed, sink));
    }

    @Override
    public void onComplete(StreamSink sink) {
        first.onComplete(passed -> second.onEvent(passed, sink));
        second.onComplete(sink);
    }
}
