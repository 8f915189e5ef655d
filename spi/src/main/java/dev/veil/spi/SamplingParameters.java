package dev.veil.spi;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * How tokens are sampled and how many. Build them with {@link #builder}, or start from {@link #DEFAULTS}: the
 * canonical constructor gains a parameter whenever a field is added.
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

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these parameters, for a copy that differs in some. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.temperature = temperature;
        builder.topP = topP;
        builder.maxTokens = maxTokens;
        builder.maxCompletionTokens = maxCompletionTokens;
        builder.n = n;
        builder.presencePenalty = presencePenalty;
        builder.frequencyPenalty = frequencyPenalty;
        return builder;
    }

    /** Builds {@link SamplingParameters}; each method sets the field of the same name. Not thread-safe. */
    public static final class Builder {
        private OptionalDouble temperature = OptionalDouble.empty();
        private OptionalDouble topP = OptionalDouble.empty();
        private OptionalInt maxTokens = OptionalInt.empty();
        private OptionalInt maxCompletionTokens = OptionalInt.empty();
        private OptionalInt n = OptionalInt.empty();
        private OptionalDouble presencePenalty = OptionalDouble.empty();
        private OptionalDouble frequencyPenalty = OptionalDouble.empty();

        private Builder() {
        }

        public Builder temperature(double temperature) {
            this.temperature = OptionalDouble.of(temperature);
            return this;
        }

        public Builder topP(double topP) {
            this.topP = OptionalDouble.of(topP);
            return this;
        }

        public Builder maxTokens(int maxTokens) {
            this.maxTokens = OptionalInt.of(maxTokens);
            return this;
        }

        public Builder maxCompletionTokens(int maxCompletionTokens) {
            this.maxCompletionTokens = OptionalInt.of(maxCompletionTokens);
            return this;
        }

        public Builder n(int n) {
            this.n = OptionalInt.of(n);
            return this;
        }

        public Builder presencePenalty(double presencePenalty) {
            this.presencePenalty = OptionalDouble.of(presencePenalty);
            return this;
        }

        public Builder frequencyPenalty(double frequencyPenalty) {
            this.frequencyPenalty = OptionalDouble.of(frequencyPenalty);
            return this;
        }

        public SamplingParameters build() {
            return new SamplingParameters(temperature, topP, maxTokens, maxCompletionTokens, n, presencePenalty,
                    frequencyPenalty);
        }
    }
}
