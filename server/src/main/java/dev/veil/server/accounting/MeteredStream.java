package dev.veil.server.accounting;

import java.util.Optional;

import dev.veil.server.core.ChatStream;
import dev.veil.server.core.UpstreamException;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.ToolCallDelta;

/** A stream that counts the characters it passes on, so that a stream cut short without usage can be estimated. */
final class MeteredStream implements ChatStream {
    private final ChatStream source;
    private volatile long characters;

    MeteredStream(ChatStream source) {
        this.source = source;
    }

    @Override
    public Optional<ChatChunk> next() throws UpstreamException {
        Optional<ChatChunk> next = source.next();
        if (next.isPresent()) {
            long count = characters;
            for (ChunkChoice choice : next.get().choices()) {
                count += choice.delta().content().map(String::length).orElse(0);
                count += choice.delta().reasoningContent().map(String::length).orElse(0);
                for (ToolCallDelta call : choice.delta().toolCalls()) {
                    count += call.arguments().map(String::length).orElse(0);
                }
            }
            characters = count;
        }
        return next;
    }

    long characters() {
        return characters;
    }

    @Override
    public void close() {
        source.close();
    }
}
