package dev.veil.plugins.routing;

/**
 * What a target costs, in currency units per million tokens.
 *
 * @param input per million input tokens
 * @param output per million output tokens
 */
record Price(double input, double output) {
    /** The expected cost of a request of {@code inputTokens} in and {@code outputTokens} out, in millionths. */
    double cost(long inputTokens, long outputTokens) {
        return inputTokens * input + outputTokens * output;
    }
}
