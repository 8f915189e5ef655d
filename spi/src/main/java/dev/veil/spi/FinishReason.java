package dev.veil.spi;

/**
 * Why the model stopped generating a choice.
 *
 * <p><b>Open to new constants.</b> A minor version of this API may add one, so a plugin's {@code switch} over it
 * needs a {@code default} branch: without one, a switch that covers every constant of today fails with
 * {@link MatchException} when it meets the new one.
 */
public enum FinishReason {
    /** A natural end or a stop sequence. */
    STOP("stop"),
    /** The output token limit was reached. */
    LENGTH("length"),
    /** The model called tools. */
    TOOL_CALLS("tool_calls"),
    /** The provider's safety filter withheld content. */
    CONTENT_FILTER("content_filter"),
    /** The legacy single function call. */
    FUNCTION_CALL("function_call");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the OpenAI wire. */
    public String wireName() {
        return wireName;
    }

    /**
     * The reason with this OpenAI wire name. Servers that only claim OpenAI compatibility send their own words
     * ({@code eos}, {@code end_turn}); those mean the model ended on its own, so they map to {@link #STOP}.
     */
    public static FinishReason fromWireName(String name) {
        return switch (name) {
            case "length" -> LENGTH;
            case "tool_calls" -> TOOL_CALLS;
            case "content_filter" -> CONTENT_FILTER;
            case "function_call" -> FUNCTION_CALL;
            default -> STOP;
        };
    }
}
