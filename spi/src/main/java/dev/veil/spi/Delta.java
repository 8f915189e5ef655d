package dev.veil.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one stream event adds to a choice. Build one with {@link #content}, {@link #EMPTY} and the {@code with...}
 * methods, or {@link #builder}: the canonical constructor gains a parameter whenever a field is added.
 *
 * @param role the author, on the first event of a choice
 * @param content the next text fragment
 * @param reasoningContent the next fragment of visible reasoning
 * @param refusal the next fragment of a refusal
 * @param toolCalls pieces of tool calls
 * @param extensions unknown fields of the delta
 */
public record Delta(
        Optional<Role> role,
        Optional<String> content,
        Optional<String> reasoningContent,
        Optional<String> refusal,
        List<ToolCallDelta> toolCalls,
        Extensions extensions) {

    /** A delta that adds nothing. */
    public static final Delta EMPTY = new Delta(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), List.of(), Extensions.NONE);

    public Delta {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(reasoningContent, "reasoningContent");
        Objects.requireNonNull(refusal, "refusal");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(extensions, "extensions");
    }

    /** A text fragment. */
    public static Delta content(String text) {
        return new Delta(Optional.empty(), Optional.of(text), Optional.empty(), Optional.empty(), List.of(),
                Extensions.NONE);
    }

    /** A builder of a delta that adds nothing until set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this delta's fields, for a copy that differs in some. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.role = role;
        builder.content = content;
        builder.reasoningContent = reasoningContent;
        builder.refusal = refusal;
        builder.toolCalls = toolCalls;
        builder.extensions = extensions;
        return builder;
    }

    /** A copy with another text fragment. */
    public Delta withContent(String text) {
        return new Delta(role, Optional.of(text), reasoningContent, refusal, toolCalls, extensions);
    }

    /** A copy with another fragment of visible reasoning. */
    public Delta withReasoningContent(String text) {
        return new Delta(role, content, Optional.of(text), refusal, toolCalls, extensions);
    }

    /** A copy with another fragment of a refusal. */
    public Delta withRefusal(String text) {
        return new Delta(role, content, reasoningContent, Optional.of(text), toolCalls, extensions);
    }

    /** A copy with other pieces of tool calls. */
    public Delta withToolCalls(List<ToolCallDelta> newToolCalls) {
        return new Delta(role, content, reasoningContent, refusal, newToolCalls, extensions);
    }

    /** Builds a {@link Delta}; each method sets the field of the same name. Not thread-safe. */
    public static final class Builder {
        private Optional<Role> role = Optional.empty();
        private Optional<String> content = Optional.empty();
        private Optional<String> reasoningContent = Optional.empty();
        private Optional<String> refusal = Optional.empty();
        private List<ToolCallDelta> toolCalls = List.of();
        private Extensions extensions = Extensions.NONE;

        private Builder() {
        }

        public Builder role(Role role) {
            this.role = Optional.of(role);
            return this;
        }

        public Builder content(String content) {
            this.content = Optional.of(content);
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

        public Builder toolCalls(List<ToolCallDelta> toolCalls) {
            this.toolCalls = toolCalls;
            return this;
        }

        public Builder extensions(Extensions extensions) {
            this.extensions = extensions;
            return this;
        }

        public Delta build() {
            return new Delta(role, content, reasoningContent, refusal, toolCalls, extensions);
        }
    }
}
