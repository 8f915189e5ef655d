package dev.veil.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A chat completion request in Veil's canonical, provider-neutral form.
 *
 * <p>Instances are immutable; plugins transform a request by returning a changed copy (see the {@code with...}
 * methods). Fields the model does not know are kept in {@link #extensions()}.
 *
 * @param model the model name as the client sent it, or as routing rewrote it
 * @param messages the conversation, oldest first
 * @param tools the tools the model may call
 * @param toolChoice how the model chooses among them
 * @param parallelToolCalls whether the model may call several tools in one turn
 * @param responseFormat the required answer form
 * @param sampling sampling parameters and token limits
 * @param stop stop sequences
 * @param seed the sampling seed
 * @param reasoningEffort the reasoning effort hint ({@code minimal}, {@code low}, {@code medium}, {@code high})
 * @param stream whether the answer is streamed
 * @param streamOptions options of a streamed answer
 * @param user the end user's identifier, as the client sent it
 * @param metadata the client's metadata key/value pairs
 * @param extensions unknown top-level fields
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        List<ToolDefinition> tools,
        Optional<ToolChoice> toolChoice,
        Optional<Boolean> parallelToolCalls,
        Optional<ResponseFormat> responseFormat,
        SamplingParameters sampling,
        List<String> stop,
        OptionalLong seed,
        Optional<String> reasoningEffort,
        boolean stream,
        Optional<StreamOptions> streamOptions,
        Optional<String> user,
        Map<String, String> metadata,
        Extensions extensions) {

    public ChatRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(toolChoice, "toolChoice");
        Objects.requireNonNull(parallelToolCalls, "parallelToolCalls");
        Objects.requireNonNull(responseFormat, "responseFormat");
        Objects.requireNonNull(sampling, "sampling");
        stop = List.copyOf(stop);
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(reasoningEffort, "reasoningEffort");
        Objects.requireNonNull(streamOptions, "streamOptions");
        Objects.requireNonNull(user, "user");
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(extensions, "extensions");
    }

    /** A minimal request: a model and messages, everything else at its default. */
    public static ChatRequest of(String model, List<ChatMessage> messages) {
        return new ChatRequest(model, messages, List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                SamplingParameters.DEFAULTS, List.of(), OptionalLong.empty(), Optional.empty(), false,
                Optional.empty(), Optional.empty(), Map.of(), Extensions.NONE);
    }

    /** Whether a streamed answer must end with a usage event for the client. */
    public boolean wantsStreamUsage() {
        return streamOptions.map(StreamOptions::includeUsage).orElse(false);
    }

    /** A copy addressed to another model name. */
    public ChatRequest withModel(String newModel) {
        return new ChatRequest(newModel, messages, tools, toolChoice, parallelToolCalls, responseFormat, sampling,
                stop, seed, reasoningEffort, stream, streamOptions, user, metadata, extensions);
    }

    /** A copy with other messages. */
    public ChatRequest withMessages(List<ChatMessage> newMessages) {
        return new ChatRequest(model, newMessages, tools, toolChoice, parallelToolCalls, responseFormat, sampling,
                stop, seed, reasoningEffort, stream, streamOptions, user, metadata, extensions);
    }

    /** A copy with other sampling parameters. */
    public ChatRequest withSampling(SamplingParameters newSampling) {
        return new ChatRequest(model, messages, tools, toolChoice, parallelToolCalls, responseFormat, newSampling,
                stop, seed, reasoningEffort, stream, streamOptions, user, metadata, extensions);
    }

    /** A copy with other stream options. */
    public ChatRequest withStreamOptions(StreamOptions newStreamOptions) {
        return new ChatRequest(model, messages, tools, toolChoice, parallelToolCalls, responseFormat, sampling,
                stop, seed, reasoningEffort, stream, Optional.of(newStreamOptions), user, metadata, extensions);
    }

    /** A copy with other unknown fields. */
    public ChatRequest withExtensions(Extensions newExtensions) {
        return new ChatRequest(model, messages, tools, toolChoice, parallelToolCalls, responseFormat, sampling,
                stop, seed, reasoningEffort, stream, streamOptions, user, metadata, newExtensions);
    }
}
