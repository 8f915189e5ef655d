package dev.veil.plugins.pii;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ContentPart;
import dev.veil.spi.ToolCall;

/**
 * Every text of a chat request a provider would see: system and developer prompts, user and assistant turns, tool
 * results, earlier tool-call arguments and refusals — on whichever API surface the request came in, since both
 * arrive here in the canonical form. Earlier reasoning is left alone: thinking blocks are signed by their provider,
 * and a changed one is rejected.
 */
final class RequestTexts {
    private RequestTexts() {
    }

    /** Calls {@code visit} with each text. */
    static void forEach(ChatRequest request, Consumer<String> visit) {
        for (ChatMessage message : request.messages()) {
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.Text text) {
                    visit.accept(text.text());
                }
            }
            for (ToolCall call : message.toolCalls()) {
                visit.accept(call.arguments());
            }
            message.refusal().ifPresent(visit);
        }
    }

    /** The request with every text rewritten; {@code request} itself when no text changed. */
    static ChatRequest rewrite(ChatRequest request, TextRewrite rewrite) {
        List<ChatMessage> messages = null;
        for (int i = 0; i < request.messages().size(); i++) {
            ChatMessage message = request.messages().get(i);
            ChatMessage rewritten = rewrite(message, rewrite);
            if (rewritten != message && messages == null) {
                messages = new ArrayList<>(request.messages());
            }
            if (messages != null) {
                messages.set(i, rewritten);
            }
        }
        return messages == null ? request : request.withMessages(messages);
    }

    private static ChatMessage rewrite(ChatMessage message, TextRewrite rewrite) {
        List<ContentPart> content = null;
        for (int i = 0; i < message.content().size(); i++) {
            if (message.content().get(i) instanceof ContentPart.Text text) {
                String rewritten = rewrite.apply(text.text(), false);
                if (rewritten != text.text()) {
                    if (content == null) {
                        content = new ArrayList<>(message.content());
                    }
                    content.set(i, text.withText(rewritten));
                }
            }
        }
        List<ToolCall> calls = null;
        for (int i = 0; i < message.toolCalls().size(); i++) {
            ToolCall call = message.toolCalls().get(i);
            String rewritten = rewrite.apply(call.arguments(), true);
            if (rewritten != call.arguments()) {
                if (calls == null) {
                    calls = new ArrayList<>(message.toolCalls());
                }
                calls.set(i, call.withArguments(rewritten));
            }
        }
        Optional<String> refusal = message.refusal().map(text -> rewrite.apply(text, false));
        boolean refusalChanged = message.refusal().isPresent() && refusal.get() != message.refusal().get();
        if (content == null && calls == null && !refusalChanged) {
            return message;
        }
        ChatMessage.Builder rewritten = message.toBuilder();
        if (content != null) {
            rewritten.content(content);
        }
        if (calls != null) {
            rewritten.toolCalls(calls);
        }
        refusal.ifPresent(rewritten::refusal);
        return rewritten.build();
    }
}
