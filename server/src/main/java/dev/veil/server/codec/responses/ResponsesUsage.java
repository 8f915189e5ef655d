package dev.veil.server.codec.responses;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.spi.Usage;

/**
 * Usage in the Responses shape: {@code input_tokens} (cache reads and writes included, as in the canonical count) with
 * {@code input_tokens_details}, {@code output_tokens} (reasoning included) with {@code output_tokens_details}, and
 * {@code total_tokens}.
 */
public final class ResponsesUsage {
    private ResponsesUsage() {
    }

    /** The {@code usage} object of a Response. */
    public static ObjectNode write(Usage usage) {
        ObjectNode out = WireNodes.object();
        out.put("input_tokens", usage.promptTokens());
        out.putObject("input_tokens_details").put("cached_tokens", usage.cachedPromptTokens())
                .put("cache_write_tokens", usage.cacheWritePromptTokens());
        out.put("output_tokens", usage.completionTokens());
        out.putObject("output_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
        out.put("total_tokens", usage.totalTokens());
        return out;
    }

    /** Reads a {@code usage} object; empty when there is none. Missing counts are zero. */
    public static Optional<Usage> read(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        long input = usage.path("input_tokens").asLong(0);
        long output = usage.path("output_tokens").asLong(0);
        JsonNode inputDetails = usage.path("input_tokens_details");
        return Optional.of(Usage.builder(input, output)
                .totalTokens(usage.path("total_tokens").asLong(input + output))
                .cachedPromptTokens(inputDetails.path("cached_tokens").asLong(0))
                .cacheWritePromptTokens(inputDetails.path("cache_write_tokens").asLong(0))
                .reasoningTokens(usage.path("output_tokens_details").path("reasoning_tokens").asLong(0))
                .build());
    }
}
