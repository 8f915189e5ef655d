package dev.veil.plugins.pii;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.Extensions;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.plugin.StreamSink;
import dev.veil.spi.plugin.StreamTransformer;

/**
 * Rewrites the texts of a streamed answer where a rewrite needs more than one event's worth of text: a placeholder
 * may arrive split over several events ({@code "<EMA"}, {@code "IL_1> wrote"}), and so may a phone number. Each text
 * channel — content, reasoning and refusal of each choice, the arguments of each tool call — holds back only the
 * tail its {@link Holdback} says could still change, and releases it, rewritten, with the next event of that
 * channel, at the choice's finish, or at the end of the stream.
 */
final class StreamTextRewriter implements StreamTransformer {
    /** Where the tail of a text that must wait for more begins; {@code text.length()} when nothing must wait. */
    @FunctionalInterface
    interface Holdback {
        int pendingFrom(String text);
    }

    private enum Field { CONTENT, REASONING, REFUSAL, ARGUMENTS }

    private record Channel(int choice, Field field, int toolCall) {
    }

    private final Holdback holdback;
    private final TextRewrite rewrite;
    private final Map<Channel, String> held = new LinkedHashMap<>();
    private ChatChunk last;
    private boolean holding;

    StreamTextRewriter(Holdback holdback, TextRewrite rewrite) {
        this.holdback = holdback;
        this.rewrite = rewrite;
    }

    /** Puts this request's original values back in place of its placeholders. */
    static StreamTextRewriter restoring(Placeholders placeholders) {
        return new StreamTextRewriter(placeholders::pendingFrom, placeholders::restore);
    }

    @Override
    public void onEvent(ChatChunk event, StreamSink sink) {
        last = event;
        holding = false;
        List<ChunkChoice> choices = null;
        for (int i = 0; i < event.choices().size(); i++) {
            ChunkChoice choice = event.choices().get(i);
            ChunkChoice restored = restore(choice);
            if (restored != choice) {
                if (choices == null) {
                    choices = new ArrayList<>(event.choices());
                }
                choices.set(i, restored);
            }
        }
        if (choices == null) {
            sink.emit(event);
            return;
        }
        ChatChunk restored = event.withChoices(choices);
        if (!(holding && carriesNothing(restored))) {
            sink.emit(restored);
        }
    }

    @Override
    public void onComplete(StreamSink sink) {
        if (held.isEmpty() || last == null) {
            return;
        }
        Map<Integer, Delta> deltas = new LinkedHashMap<>();
        held.forEach((channel, text) -> deltas.put(channel.choice(),
                append(deltas.getOrDefault(channel.choice(), Delta.EMPTY), channel, rewrite.apply(text,
                        channel.field() == Field.ARGUMENTS))));
        held.clear();
        List<ChunkChoice> choices = new ArrayList<>(deltas.size());
        deltas.forEach((index, delta) -> choices.add(ChunkChoice.of(index, delta)));
        sink.emit(last.withChoices(choices).withoutUsage());
    }

    private ChunkChoice restore(ChunkChoice choice) {
        Delta delta = choice.delta();
        int index = choice.index();
        Optional<String> content = delta.content().map(t -> pass(new Channel(index, Field.CONTENT, 0), t, false));
        Optional<String> reasoning = delta.reasoningContent()
                .map(t -> pass(new Channel(index, Field.REASONING, 0), t, false));
        Optional<String> refusal = delta.refusal().map(t -> pass(new Channel(index, Field.REFUSAL, 0), t, false));
        // Unknown fields arrive whole in each event: nothing of them waits for the next.
        Extensions extensions = AnswerTexts.extensions(delta.extensions(), rewrite);
        boolean changed = differs(delta.content(), content) || differs(delta.reasoningContent(), reasoning)
                || differs(delta.refusal(), refusal) || extensions != delta.extensions();
        List<ToolCallDelta> calls = new ArrayList<>(delta.toolCalls().size());
        for (ToolCallDelta call : delta.toolCalls()) {
            Optional<String> arguments = call.arguments()
                    .map(t -> pass(new Channel(index, Field.ARGUMENTS, call.index()), t, true));
            changed |= differs(call.arguments(), arguments);
            calls.add(differs(call.arguments(), arguments) ? call.withArguments(arguments.get()) : call);
        }
        Delta restored = changed ? rewritten(delta, content, reasoning, refusal, calls, extensions) : delta;
        if (choice.finishReason().isPresent()) {
            Delta flushed = flush(index, restored);
            changed |= flushed != restored;
            restored = flushed;
        }
        return changed ? choice.withDelta(restored) : choice;
    }

    /** {@code delta} with its texts replaced: each is present exactly when it was in {@code delta}. */
    private static Delta rewritten(Delta delta, Optional<String> content, Optional<String> reasoning,
                                   Optional<String> refusal, List<ToolCallDelta> calls, Extensions extensions) {
        Delta.Builder rewritten = delta.toBuilder().toolCalls(calls).extensions(extensions);
        content.ifPresent(rewritten::content);
        reasoning.ifPresent(rewritten::reasoningContent);
        refusal.ifPresent(rewritten::refusal);
        return rewritten.build();
    }

    /** The part of {@code text} that can go on now, rewritten; a tail that may still change stays held. */
    private String pass(Channel channel, String text, boolean json) {
        String pending = held.remove(channel);
        String joined = pending == null ? text : pending + text;
        int cut = holdback.pendingFrom(joined);
        if (cut < joined.length()) {
            held.put(channel, joined.substring(cut));
            holding = true;
            return rewrite.apply(joined.substring(0, cut), json);
        }
        return rewrite.apply(joined, json);
    }

    /** Releases, rewritten, everything a finishing choice still holds: no more text will come to complete it. */
    private Delta flush(int choice, Delta delta) {
        Delta flushed = delta;
        Iterator<Map.Entry<Channel, String>> entries = held.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<Channel, String> entry = entries.next();
            if (entry.getKey().choice() == choice) {
                flushed = append(flushed, entry.getKey(), rewrite.apply(entry.getValue(),
                        entry.getKey().field() == Field.ARGUMENTS));
                entries.remove();
            }
        }
        return flushed;
    }

    private static Delta append(Delta delta, Channel channel, String text) {
        return switch (channel.field()) {
            case CONTENT -> delta.withContent(delta.content().orElse("") + text);
            case REASONING -> delta.withReasoningContent(delta.reasoningContent().orElse("") + text);
            case REFUSAL -> delta.withRefusal(delta.refusal().orElse("") + text);
            case ARGUMENTS -> {
                List<ToolCallDelta> calls = new ArrayList<>(delta.toolCalls());
                boolean merged = false;
                for (int i = 0; i < calls.size(); i++) {
                    ToolCallDelta call = calls.get(i);
                    if (call.index() == channel.toolCall()) {
                        calls.set(i, call.withArguments(call.arguments().orElse("") + text));
                        merged = true;
                    }
                }
                if (!merged) {
                    calls.add(ToolCallDelta.continuation(channel.toolCall(), text));
                }
                yield delta.withToolCalls(calls);
            }
        };
    }

    /** Whether an event, once its held text is taken out, has nothing left a client would notice. */
    private static boolean carriesNothing(ChatChunk event) {
        if (event.usage().isPresent()) {
            return false;
        }
        for (ChunkChoice choice : event.choices()) {
            Delta delta = choice.delta();
            if (choice.finishReason().isPresent() || delta.role().isPresent() || !delta.extensions().isEmpty()
                    || !empty(delta.content()) || !empty(delta.reasoningContent()) || !empty(delta.refusal())) {
                return false;
            }
            for (ToolCallDelta call : delta.toolCalls()) {
                if (call.id().isPresent() || call.name().isPresent() || !empty(call.arguments())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean empty(Optional<String> text) {
        return text.isEmpty() || text.get().isEmpty();
    }

    private static boolean differs(Optional<String> before, Optional<String> after) {
        return before.isPresent() && before.get() != after.get();
    }
}
