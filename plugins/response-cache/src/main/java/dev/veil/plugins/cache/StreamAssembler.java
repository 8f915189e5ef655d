package dev.veil.plugins.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Delta;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;

/**
 * Builds the complete answer a stream amounted to, so that a streamed answer can be cached and later served to a
 * JSON request as well as replayed to a streaming one: per choice the text, reasoning, refusal and tool calls (their
 * argument fragments joined), the finish reason; and the usage.
 */
final class StreamAssembler {
    private String id = "";
    private long created;
    private String model = "";
    private Optional<String> systemFingerprint = Optional.empty();
    private Optional<Usage> usage = Optional.empty();
    private boolean started;
    private final TreeMap<Integer, ChoiceParts> choices = new TreeMap<>();

    /** Adds one event, in stream order. */
    void add(ChatChunk event) {
        if (!started) {
            started = true;
            id = event.id();
            created = event.created();
            model = event.model();
        }
        if (event.systemFingerprint().isPresent()) {
            systemFingerprint = event.systemFingerprint();
        }
        if (event.usage().isPresent()) {
            usage = event.usage();
        }
        for (ChunkChoice choice : event.choices()) {
            choices.computeIfAbsent(choice.index(), index -> new ChoiceParts()).add(choice);
        }
    }

    /** The answer so far. */
    ChatResponse response() {
        List<Choice> assembled = new ArrayList<>(choices.size());
        choices.forEach((index, parts) -> assembled.add(parts.choice(index)));
        ChatResponse.Builder response = ChatResponse.builder(id, created, model).choices(assembled);
        usage.ifPresent(response::usage);
        systemFingerprint.ifPresent(response::systemFingerprint);
        return response.build();
    }

    private static final class ChoiceParts {
        private Role role = Role.ASSISTANT;
        private final StringBuilder content = new StringBuilder();
        private boolean hasContent;
        private StringBuilder reasoning;
        private StringBuilder refusal;
        private final TreeMap<Integer, CallParts> calls = new TreeMap<>();
        private Optional<FinishReason> finishReason = Optional.empty();

        void add(ChunkChoice choice) {
            Delta delta = choice.delta();
            if (delta.role().isPresent()) {
                role = delta.role().get();
            }
            delta.content().ifPresent(text -> {
                content.append(text);
                hasContent = true;
            });
            delta.reasoningContent().ifPresent(text -> reasoning = append(reasoning, text));
            delta.refusal().ifPresent(text -> refusal = append(refusal, text));
            for (ToolCallDelta call : delta.toolCalls()) {
                calls.computeIfAbsent(call.index(), index -> new CallParts()).add(call);
            }
            if (choice.finishReason().isPresent()) {
                finishReason = choice.finishReason();
            }
        }

        Choice choice(int index) {
            List<ToolCall> toolCalls = new ArrayList<>(calls.size());
            calls.values().forEach(call -> toolCalls.add(call.toolCall()));
            List<ContentPart> parts = hasContent && (content.length() > 0 || toolCalls.isEmpty())
                    ? List.of(ContentPart.text(content.toString())) : List.of();
            ChatMessage.Builder message = ChatMessage.builder(role).content(parts).toolCalls(toolCalls);
            if (reasoning != null) {
                message.reasoningContent(reasoning.toString());
            }
            if (refusal != null) {
                message.refusal(refusal.toString());
            }
            Choice choice = Choice.of(index, message.build());
            return finishReason.map(choice::withFinishReason).orElse(choice);
        }

        private static StringBuilder append(StringBuilder builder, String text) {
            return (builder == null ? new StringBuilder() : builder).append(text);
        }
    }

    private static final class CallParts {
        private String id = "";
        private String name = "";
        private final StringBuilder arguments = new StringBuilder();

        void add(ToolCallDelta delta) {
            delta.id().ifPresent(value -> id = value);
            delta.name().ifPresent(value -> name = value);
            delta.arguments().ifPresent(arguments::append);
        }

        ToolCall toolCall() {
            return ToolCall.of(id, name, arguments.toString());
        }
    }
}
