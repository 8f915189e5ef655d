package dev.veil.server.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.veil.server.core.ChatStream;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.Extensions;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolCallDelta;

/**
 * A complete answer replayed as a stream, for a streaming request that a plugin answered without a provider: per
 * choice a role event, the content, the tool calls, the finish reason; then the usage.
 */
final class ResponseReplay implements ChatStream {
    private final List<ChatChunk> events;
    private int next;

    ResponseReplay(ChatResponse answer) {
        List<ChatChunk> chunks = new ArrayList<>();
        for (Choice choice : answer.choices()) {
            ChatMessage message = choice.message();
            List<ToolCallDelta> calls = new ArrayList<>();
            for (int i = 0; i < message.toolCalls().size(); i++) {
                ToolCall call = message.toolCalls().get(i);
                calls.add(new ToolCallDelta(i, Optional.of(call.id()), Optional.of(call.name()),
                        Optional.of(call.arguments())));
            }
            String text = message.text();
            chunks.add(chunk(answer, new ChunkChoice(choice.index(), new Delta(Optional.of(Role.ASSISTANT),
                    text.isEmpty() && !calls.isEmpty() ? Optional.empty() : Optional.of(text),
                    message.reasoningContent(), message.refusal(), calls, Extensions.NONE),
                    Optional.empty(), Extensions.NONE)));
            chunks.add(chunk(answer, new ChunkChoice(choice.index(), Delta.EMPTY, choice.finishReason(),
                    Extensions.NONE)));
        }
        answer.usage().ifPresent(usage -> chunks.add(new ChatChunk(answer.id(), answer.created(), answer.model(),
                List.of(), Optional.of(usage), answer.systemFingerprint(), Extensions.NONE)));
        this.events = List.copyOf(chunks);
    }

    private static ChatChunk chunk(ChatResponse answer, ChunkChoice choice) {
        return new ChatChunk(answer.id(), answer.created(), answer.model(), List.of(choice), Optional.empty(),
                answer.systemFingerprint(), Extensions.NONE);
    }

    @Override
    public Optional<ChatChunk> next() {
        return next < events.size() ? Optional.of(events.get(next++)) : Optional.empty();
    }

    @Override
    public void close() {
        next = events.size();
    }
}
