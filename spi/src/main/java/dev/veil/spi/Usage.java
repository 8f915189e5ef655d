package dev.veil.spi;

import java.util.Objects;

/**
 * Token usage of one exchange, as the provider reported it.
 *
 * <p>{@code cachedPromptTokens} and {@code cacheWritePromptTokens} are parts of {@code promptTokens};
 * {@code reasoningTokens} is part of {@code completionTokens}. Cost accounting prices each part at its own rate and
 * must not count it twice.
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
        return new Usage(promptTokens, completionTokens, promptTokens + completionTokens, 0, 0, 0, Extensions.NONE);
    }
}
