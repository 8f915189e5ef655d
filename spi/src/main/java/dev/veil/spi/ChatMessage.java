package dev.veil.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of a conversation, in a request or as a response's answer.
 *
 * @param role who wrote it
 * @param content its parts in order; empty when the message has no content (an assistant turn that only calls tools)
 * @param name the participant name, when given
 * @param toolCalls the function calls of an assistant message
 * @param toolCallId for a {@link Role#TOOL} message, the id of the call it answers
 * @param reasoningContent the model's visible reasoning, for models and providers that expose it
 * @param refusal the model's refusal text, when it refused
 * @param extensions unknown fields of the message
 */
public record ChatMessage(
        Role role,
        List<ContentPart> content,
        Optional<String> name,
        List<ToolCall> toolCalls,
        Optional<String> toolCallId,
        Optional<String> reasoningContent,
        Optional<String> refusal,
        Extensions extensions) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
        Objects.requireNonNull(name, "name");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(toolCallId, "toolCallId");
        Objects.requireNonNull(reasoningContent, "reasoningContent");
        Objects.requireNonNull(refusal, "refusal");
        Objects.requireNonNull(extensions, "extensions");
    }

    /** A message holding one text part. */
    public static ChatMessage text(Role role, String text) {
        return new ChatMessage(role, List.of(ContentPart.text(text)), Optional.empty(), List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), Extensions.NONE);
    }

    /** The concatenation of the text parts, in order; empty when there are none. */
    public String text() {
        if (content.size() == 1 && content.get(0) instanceof ContentPart.Text only) {
            return only.text();
        }
        StringBuilder text = new StringBuilder();
        for (ContentPart part : content) {
            if (part instanceof ContentPart.Text t) {
                text.append(t.text());
            }
        }
        return text.toString();
    }

    /** A copy with other content. */
    public ChatMessage withContent(List<ContentPart> newContent) {
        return new ChatMessage(role, newContent, name, toolCalls, toolCallId, reasoningContent, refusal, extensions);
    }

    /** A copy with other tool calls. */
    public ChatMessage withToolCalls(List<ToolCall> newToolCalls) {
        return new ChatMessage(role, content, name, newToolCalls, toolCallId, reasoningContent, refusal, extensions);
    }
}
