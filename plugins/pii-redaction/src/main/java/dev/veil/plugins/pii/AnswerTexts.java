package dev.veil.plugins.pii;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.ToolCall;

/**
 * Rewrites every text of a complete answer — content, tool-call arguments, reasoning, refusal, and the message's
 * unknown fields as JSON — with one function; used to put original values back in place of placeholders, and to
 * redact new personal data the model produced. Thinking blocks are left as the provider signed them: the client sends
 * them back, and a changed one is refused (they keep the placeholders, and so carry no value back to a provider).
 */
final class AnswerTexts {
    private static final String THINKING_BLOCKS = "thinking_blocks";

    private AnswerTexts() {
    }

    /** The answer with every text rewritten; {@code response} itself when no text changed. */
    static ChatResponse rewrite(ChatResponse response, TextRewrite rewrite) {
        List<Choice> choices = null;
        for (int i = 0; i < response.choices().size(); i++) {
            Choice choice = response.choices().get(i);
            ChatMessage message = rewrite(choice.message(), rewrite);
            if (message != choice.message()) {
                if (choices == null) {
                    choices = new ArrayList<>(response.choices());
                }
                choices.set(i, choice.withMessage(message));
            }
        }
        return choices == null ? response : response.withChoices(choices);
    }

    private static ChatMessage rewrite(ChatMessage message, TextRewrite rewrite) {
        boolean changed = false;
        List<ContentPart> content = new ArrayList<>(message.content().size());
        for (ContentPart part : message.content()) {
            if (part instanceof ContentPart.Text text) {
                String rewritten = rewrite.apply(text.text(), false);
                changed |= rewritten != text.text();
                content.add(rewritten == text.text() ? part : text.withText(rewritten));
            } else {
                content.add(part);
            }
        }
        List<ToolCall> calls = new ArrayList<>(message.toolCalls().size());
        for (ToolCall call : message.toolCalls()) {
            String rewritten = rewrite.apply(call.arguments(), true);
            changed |= rewritten != call.arguments();
            calls.add(rewritten == call.arguments() ? call : call.withArguments(rewritten));
        }
        Optional<String> reasoning = message.reasoningContent().map(text -> rewrite.apply(text, false));
        Optional<String> refusal = message.refusal().map(text -> rewrite.apply(text, false));
        changed |= differs(message.reasoningContent(), reasoning) || differs(message.refusal(), refusal);
        Extensions extensions = extensions(message.extensions(), rewrite);
        changed |= extensions != message.extensions();
        if (!changed) {
            return message;
        }
        ChatMessage.Builder rewritten = message.toBuilder().content(content).toolCalls(calls).extensions(extensions);
        reasoning.ifPresent(rewritten::reasoningContent);
        refusal.ifPresent(rewritten::refusal);
        return rewritten.build();
    }

    /** Unknown fields of an answer's message or delta, each rewritten as JSON but signed thinking blocks. */
    static Extensions extensions(Extensions extensions, TextRewrite rewrite) {
        if (extensions.isEmpty()) {
            return extensions;
        }
        Map<String, RawJson> fields = null;
        for (Map.Entry<String, RawJson> field : extensions.fields().entrySet()) {
            if (field.getKey().equals(THINKING_BLOCKS)) {
                continue;
            }
            String rewritten = rewrite.apply(field.getValue().text(), true);
            if (rewritten != field.getValue().text()) {
                if (fields == null) {
                    fields = new LinkedHashMap<>(extensions.fields());
                }
                fields.put(field.getKey(), RawJson.of(rewritten));
            }
        }
        return fields == null ? extensions : Extensions.of(fields);
    }

    private static boolean differs(Optional<String> before, Optional<String> after) {
        return before.isPresent() && before.get() != after.get();
    }
}
