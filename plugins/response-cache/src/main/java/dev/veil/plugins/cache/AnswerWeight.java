package dev.veil.plugins.cache;

import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.RawJson;
import dev.veil.spi.ToolCall;

/**
 * A cheap estimate of the heap an answer holds, for {@code max-bytes}: two bytes per character of its texts plus a
 * fixed overhead per object. It does not walk the heap; it only has to rank answers by size fairly.
 */
final class AnswerWeight {
    private static final int OBJECT = 48;

    private AnswerWeight() {
    }

    static int of(ChatResponse answer) {
        long chars = answer.id().length() + answer.model().length()
                + answer.systemFingerprint().map(String::length).orElse(0);
        long objects = 4 + answer.choices().size();
        for (RawJson value : answer.extensions().fields().values()) {
            chars += value.text().length();
            objects++;
        }
        for (Choice choice : answer.choices()) {
            for (ContentPart part : choice.message().content()) {
                chars += switch (part) {
                    case ContentPart.Text text -> text.text().length();
                    case ContentPart.Image image -> image.url().length();
                    case ContentPart.Other other -> other.json().text().length();
                    default -> part.toString().length();
                };
                objects += 2;
            }
            for (ToolCall call : choice.message().toolCalls()) {
                chars += call.id().length() + call.name().length() + call.arguments().length();
                objects += 4;
            }
            chars += choice.message().reasoningContent().map(String::length).orElse(0)
                    + choice.message().refusal().map(String::length).orElse(0);
            objects += 4;
        }
        return (int) Math.min(Integer.MAX_VALUE, 2 * chars + OBJECT * objects);
    }
}
