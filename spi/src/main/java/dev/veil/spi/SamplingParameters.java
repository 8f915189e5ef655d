package dev.veil.spi;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * How tokens are sampled and how many.
 *
 * @param temperature sampling temperature
 * @param topP nucleus sampling mass
 * @param maxTokens the legacy {@code max_tokens} limit, when the client used it
 * @param maxCompletionTokens the {@code max_completion_tokens} limit, when the client used it
 * @param n how many choices to generate
 * @param presencePenalty presence penalty
 * @param frequencyPenalty frequency penalty
 */
public record SamplingParameters(
        OptionalDouble temperature,
        OptionalDouble topP,
        OptionalInt maxTokens,
        OptionalInt maxCompletionTokens,
        OptionalInt n,
        OptionalDouble presencePenalty,
        OptionalDouble frequencyPenalty) {

    /** Nothing set: every provider default applies. */
    public static final SamplingParameters DEFAULTS = new SamplingParameters(OptionalDouble.empty(),
            OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(),
            OptionalDouble.empty(), OptionalDouble.empty());

    public SamplingParameters {
        Objects.requireNonNull(temperature, "temperature");
        Objects.requireNonNull(topP, "topP");
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(maxCompletionTokens, "maxCompletionTokens");
        Objects.requireNonNull(n, "n");
        Objects.requireNonNull(presencePenalty, "presencePenalty");
        Objects.requireNonNull(frequencyPenalty, "frequencyPenalty");
    }

    /** The output token limit whichever field carried it; {@code max_completion_tokens} wins when both are set. */
    public OptionalInt outputTokenLimit() {
        return maxCompletionTokens.isPresent() ? maxCompletionTokens : maxTokens;
    }
}
