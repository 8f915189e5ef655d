package dev.veil.server.codec.translation;

import java.util.ArrayList;
import java.util.List;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Role;

/** The system and developer messages of a conversation, which the translated wires take apart from the turns. */
public final class Instructions {
    private Instructions() {
    }

    /** Whether {@code message} is a system or developer message. */
    public static boolean is(ChatMessage message) {
        return message.role() == Role.SYSTEM || message.role() == Role.DEVELOPER;
    }

    /** Its text parts but the empty ones, which Anthropic and Bedrock reject; other parts have no system form. */
    public static List<ContentPart.Text> nonEmptyTexts(ChatMessage message) {
        List<ContentPart.Text> texts = new ArrayList<>(message.content().size());
        for (ContentPart part : message.content()) {
            if (part instanceof ContentPart.Text text && !text.text().isEmpty()) {
                texts.add(text);
            }
        }
        return texts;
    }
}
