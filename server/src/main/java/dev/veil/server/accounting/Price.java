package dev.veil.server.accounting;

import dev.veil.spi.Usage;

/**
 * What a provider model charges, in US dollars per million tokens of each kind.
 *
 * <p>Canonical {@link Usage} counts cache reads and writes inside {@code promptTokens} and reasoning inside
 * {@code completionTokens} whatever the provider's wire said (the adapters normalise Anthropic's separate counts), so
 * each part is taken out of its total and priced at its own rate exactly once.
 *
 * @param input uncached input
 * @param output output other than reasoning
 * @param cachedInput input read from the prompt cache
 * @param cacheWrite input written to the prompt cache
 * @param reasoning reasoning output
 */
public record Price(double input, double output, double cachedInput, double cacheWrite, double reasoning) {
    /** What an unpriced model costs: nothing, so that a missing price never blocks a request. */
    public static final Price FREE = new Price(0, 0, 0, 0, 0);

    /** A price whose cached input, cache writes and reasoning cost as much as plain input and output. */
    public static Price of(double input, double output, double cachedInput) {
        return new Price(input, output, cachedInput, input, output);
    }

    /** The cost of {@code usage} in micro-dollars (one million per US dollar), rounded to the nearest. */
    public long costMicros(Usage usage) {
        long cached = Math.max(0, usage.cachedPromptTokens());
        long written = Math.max(0, usage.cacheWritePromptTokens());
        long uncached = Math.max(0, usage.promptTokens() - cached - written);
        long reasoningTokens = Math.max(0, Math.min(usage.reasoningTokens(), usage.completionTokens()));
        long plainOutput = Math.max(0, usage.completionTokens() - reasoningTokens);
        // Dollars per million tokens times tokens is micro-dollars.
        return Math.round(uncached * input + cached * cachedInput + written * cacheWrite + plainOutput * output
                + reasoningTokens * reasoning);
    }

    /** The cost of an estimate of plain input and output tokens, in micro-dollars, rounded up. */
    public long estimateMicros(long inputTokens, long outputTokens) {
        return (long) Math.ceil(inputTokens * input + outputTokens * Math.max(output, reasoning));
    }
}
