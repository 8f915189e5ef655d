package dev.veil.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of a conversation, in a request or as a response's answer. Build one with {@link #text} or
 * {@link #builder}: the canonical constructor gains a parameter whenever a field is added.
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
        return builder(role).content(List.of(ContentPart.text(text))).build();
    }

    /** A builder of a message by {@code role}, without content or anything else until set. */
    public static Builder builder(Role role) {
        return new Builder(role);
    }

    /** A builder holding this message's fields, for a copy that differs in some. */
    public Builder toBuilder() {
        Builder builder = new Builder(role);
        builder.content = content;
        builder.name = name;
        builder.toolCalls = toolCalls;
        builder.toolCallId = toolCallId;
        builder.reasoningContent = reasoningContent;
        builder.refusal = refusal;
        builder.extensions = extensions;
        return builder;
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

    /** Builds a {@link ChatMessage}; each method sets the field of the same name. Not thread-safe. */
    public static final class Builder {
        private Role role;
        private List<ContentPart> content = List.of();
        private Optional<String> name = Optional.empty();
        private List<ToolCall> toolCalls = List.of();
        private Optional<String> toolCallId = Optional.empty();
        private Optional<String> reasoningContent = Optional.empty();
        private Optional<String> refusal = Optional.empty();
        private Extensions extensions = Extensions.NONE;

        private Builder(Role role) {
            this.role = role;
        }

        public Builder role(Role role) {
            this.role = role;
            return this;
        }

        public Builder content(List<ContentPart> content) {
            this.content = content;
            return this;
        }

        public Builder name(String name) {
            this.name = Optional.of(name);
            return this;
        }

        public Builder toolCalls(List<ToolCall> toolCalls) {
            this.toolCalls = toolCalls;
            return this;
        }

        public Builder toolCallId(String toolCallId) {
            this.toolCallId = Optional.of(toolCallId);
            return this;
        }

        public Builder reasoningContent(String reasoningContent) {
            this.reasoningContent = Optional.of(reasoningContent);
            return this;
        }

        public Builder refusal(String refusal) {
            this.refusal = Optional.of(refusal);
            return this;
        }

        public Builder extensions(Extensions extensions) {
            this.extensions = extensions;
            return this;
        }

        public ChatMessage build() {
            return new ChatMessage(role, content, name, toolCalls, toolCallId, reasoningContent, refusal, extensions);
        }
    }
}
