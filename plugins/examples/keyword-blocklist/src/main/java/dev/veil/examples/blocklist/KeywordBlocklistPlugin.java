package dev.veil.examples.blocklist;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Delta;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.ResponsePhase;
import dev.veil.spi.plugin.StreamPhase;
import dev.veil.spi.plugin.StreamSink;
import dev.veil.spi.plugin.StreamTransformer;

/** Blocks requests with blocked keywords; masks masked keywords in answers, also across stream events. */
final class KeywordBlocklistPlugin implements RequestPhase, ResponsePhase, StreamPhase {
    private final List<String> block;
    private final List<String> mask;
    private final int longestMasked;

    KeywordBlocklistPlugin(List<String> block, List<String> mask) {
        this.block = block.stream().map(word -> word.toLowerCase(Locale.ROOT)).toList();
        this.mask = mask.stream().map(word -> word.toLowerCase(Locale.ROOT)).toList();
        this.longestMasked = this.mask.stream().mapToInt(String::length).max().orElse(0);
    }

    @Override
    public ChatRequest onRequest(ChatRequest request, Exchange exchange) {
        for (ChatMessage message : request.messages()) {
            String text = message.text().toLowerCase(Locale.ROOT);
            for (String word : block) {
                if (text.contains(word)) {
                    // The message says what happened, never which word: the keyword list may itself be sensitive.
                    throw new VeilException(ErrorKind.PERMISSION_DENIED, "The request contains a blocked keyword")
                            .withCode("blocked_keyword");
                }
            }
        }
        return request;
    }

    @Override
    public ChatResponse onResponse(ChatResponse response, Exchange exchange) {
        if (mask.isEmpty()) {
            return response;
        }
        List<Choice> choices = new ArrayList<>(response.choices().size());
        for (Choice choice : response.choices()) {
            ChatMessage message = choice.message();
            List<ContentPart> parts = new ArrayList<>(message.content().size());
            for (ContentPart part : message.content()) {
                // Other kinds of part, including kinds a later SPI adds, pass as they are.
                parts.add(part instanceof ContentPart.Text text ? text.withText(masked(text.text())) : part);
            }
            choices.add(choice.withMessage(message.withContent(parts)));
        }
        return response.withChoices(choices);
    }

    @Override
    public StreamTransformer openStream(ChatRequest request, Exchange exchange) {
        return mask.isEmpty() ? StreamTransformer.PASS_THROUGH : new Masker();
    }

    String masked(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        char[] out = text.toCharArray();
        for (String word : mask) {
            for (int at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
                Arrays.fill(out, at, at + word.length(), '*');
            }
        }
        return new String(out);
    }

    /**
     * Masks a stream. A keyword may arrive split across events ("sec" + "ret"), so the end of the text that could
     * still grow into a keyword is held back until the next event decides it, or the choice finishes.
     */
    private final class Masker implements StreamTransformer {
        private final Map<Integer, String> pending = new HashMap<>();
        private ChatChunk last;

        @Override
        public void onEvent(ChatChunk event, StreamSink sink) {
            last = event;
            List<ChunkChoice> choices = new ArrayList<>(event.choices().size());
            for (ChunkChoice choice : event.choices()) {
                String text = pending.getOrDefault(choice.index(), "") + choice.delta().content().orElse("");
                int hold = choice.finishReason().isPresent() ? text.length() : heldFrom(text);
                pending.put(choice.index(), text.substring(hold));
                String ready = masked(text.substring(0, hold));
                boolean hadContent = choice.delta().content().isPresent();
                choices.add(hadContent || !ready.isEmpty() ? choice.withDelta(choice.delta().withContent(ready))
                        : choice);
            }
            sink.emit(event.withChoices(choices));
        }

        @Override
        public void onComplete(StreamSink sink) {
            // A stream that ended without a finish reason still owes the client its held-back text.
            pending.forEach((index, text) -> {
                if (!text.isEmpty()) {
                    sink.emit(last.withoutUsage().withChoices(List.of(ChunkChoice.of(index,
                            Delta.content(masked(text))))));
                }
            });
            pending.clear();
        }

        /** Where the tail that may still become a keyword starts; the text's length when none can. */
        private int heldFrom(String text) {
            String lower = text.toLowerCase(Locale.ROOT);
            for (int start = Math.max(0, text.length() - longestMasked + 1); start < text.length(); start++) {
                String tail = lower.substring(start);
                for (String word : mask) {
                    if (word.startsWith(tail)) {
                        return start;
                    }
                }
            }
            return text.length();
        }
    }
}
