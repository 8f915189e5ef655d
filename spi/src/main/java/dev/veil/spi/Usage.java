package dev.veil.spi;

import java.util.Objects;

/**
 * Token usage of one exchange, as the provider reported it.
 *
 * <p>{@code cachedPromptTokens} and {@code cacheWritePromptTokens} are parts of {@code promptTokens};
 * {@code reasoningTokens} is part of {@code completionTokens}. Cost accounting prices each part at its own rate and
 * must not count it twice.
 *
 * <p>Build it with {@link #of} or {@link #builder}: the canonical constructor gains a parameter whenever a field is
 * added.
 *
 * @param promptTokens input tokens, including cached ones
 * @param completionTokens output tokens, including reasoning
 * @param totalTokens the provider's total
 * @param cachedPromptTokens input tokens read from the provider's prompt cache
 * @param cacheWritePromptTokens input tokens written to the provider's prompt cache
 * @param reasoningTokens output tokens spent on reasoning
 * @param extensions unknown usage fields
 */
public record Usage(
        long promptTokens,
        long completionTokens,
        long totalTokens,
        long cachedPromptTokens,
        long cacheWritePromptTokens,
        long reasoningTokens,
        Extensions extensions) {

    public Usage {
        Objects.requireNonNull(extensions, "extensions");
    }

    /** Plain usage without cache or reasoning detail. */
    public static Usage of(long promptTokens, long completionTokens) {
        return builder(promptTokens, completionTokens).build();
    }

    /** A builder of usage with these input and output tokens, their sum as the total, and no detail until set. */
    public static Builder builder(long promptTokens, long completionTokens) {
        return new Builder(promptTokens, completionTokens);
    }

    /** A builder holding this usage, for a copy that differs in some fields. */
    public Builder toBuilder() {
        Builder builder = new Builder(promptTokens, completionTokens);
        builder.totalTokens = totalTokens;
        builder.cachedPromptTokens = cachedPromptTokens;
        builder.cacheWritePromptTokens = cacheWritePromptTokens;
        builder.reasoningTokens = reasoningTokens;
        builder.extensions = extensions;
        return builder;
    }

    /** Builds a {@link Usage}; each method sets the field of the same name. Not thread-safe. */
    public static final class Builder {
        private long promptTokens;
        private long completionTokens;
        private long totalTokens;
        private long cachedPromptTokens;
        private long cacheWritePromptTokens;
        private long reasoningTokens;
        private Extensions extensions = Extensions.NONE;

        private Builder(long promptTokens, long completionTokens) {
            this.promptTokens = promptTokens;
            this.completionTokens = completionTokens;
            this.totalTokens = promptTokens + completionTokens;
        }

        /** Sets the input tokens, and the total to input plus output. */
        public Builder promptTokens(long promptTokens) {
            this.promptTokens = promptTokens;
            this.totalTokens = promptTokens + completionTokens;
            return this;
        }

        /** Sets the output tokens, and the total to input plus output. */
        public Builder completionTokens(long completionTokens) {
            this.completionTokens = completionTokens;
            this.totalTokens = promptTokens + completionTokens;
            return this;
        }

        /** Sets the total as the provider reported it, when it is not input plus output. */
        public Builder totalTokens(long totalTokens) {
            this.totalTokens = totalTokens;
            return this;
        }

        public Builder cachedPromptTokens(long cachedPromptTokens) {
            this.cachedPromptTokens = cachedPromptTokens;
            return this;
        }

        public Builder cacheWritePromptTokens(long cacheWritePromptTokens) {
            this.cacheWritePromptTokens = cacheWritePromptTokens;
            return this;
        }

        public Builder reasoningTokens(long reasoningTokens) {
            this.reasoningTokens = reasoningTokens;
            return this;
        }

        public Builder extensions(Extensions extensions) {
            this.extensions = extensions;
            return this;
        }

        public Usage build() {
            return new Usage(promptTokens, completionTokens, totalTokens, cachedPromptTokens, cacheWritePromptTokens,
                    reasoningTokens, extensions);
        }
    }
}
