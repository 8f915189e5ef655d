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
 * methods and {@link #toBuilder()}). Fields the model does not know are kept in {@link #extensions()}. Build one with
 * {@link #of} or {@link #builder}: the canonical constructor gains a parameter whenever a field is added.
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
        return builder(model, messages).build();
    }

    /** A builder of a request for a model and messages, everything else at its default until set. */
    public static Builder builder(String model, List<ChatMessage> messages) {
        return new Builder(model, messages);
    }

    /** A builder holding this request's fields, for a copy that differs in some. */
    public Builder toBuilder() {
        Builder builder = new Builder(model, messages);
        builder.tools = tools;
        builder.toolChoice = toolChoice;
        builder.parallelToolCalls = parallelToolCalls;
        builder.responseFormat = responseFormat;
        builder.sampling = sampling;
        builder.stop = stop;
        builder.seed = seed;
        builder.reasoningEffort = reasoningEffort;
        builder.stream = stream;
        builder.streamOptions = streamOptions;
        builder.user = user;
        builder.metadata = metadata;
        builder.extensions = extensions;
        return builder;
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

    /** Builds a {@link ChatRequest}; each method sets the field of the same name. Not thread-safe. */
    public static final class Builder {
        private String model;
        private List<ChatMessage> messages;
        private List<ToolDefinition> tools = List.of();
        private Optional<ToolChoice> toolChoice = Optional.empty();
        private Optional<Boolean> parallelToolCalls = Optional.empty();
        private Optional<ResponseFormat> responseFormat = Optional.empty();
        private SamplingParameters sampling = SamplingParameters.DEFAULTS;
        private List<String> stop = List.of();
        private OptionalLong seed = OptionalLong.empty();
        private Optional<String> reasoningEffort = Optional.empty();
        private boolean stream;
        private Optional<StreamOptions> streamOptions = Optional.empty();
        private Optional<String> user = Optional.empty();
        private Map<String, String> metadata = Map.of();
        private Extensions extensions = Extensions.NONE;

        private Builder(String model, List<ChatMessage> messages) {
            this.model = model;
            this.messages = messages;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder messages(List<ChatMessage> messages) {
            this.messages = messages;
            return this;
        }

        public Builder tools(List<ToolDefinition> tools) {
            this.tools = tools;
            return this;
        }

        public Builder toolChoice(ToolChoice toolChoice) {
            this.toolChoice = Optional.of(toolChoice);
            return this;
        }

        public Builder parallelToolCalls(boolean parallelToolCalls) {
            this.parallelToolCalls = Optional.of(parallelToolCalls);
            return this;
        }

        public Builder responseFormat(ResponseFormat responseFormat) {
            this.responseFormat = Optional.of(responseFormat);
            return this;
        }

        public Builder sampling(SamplingParameters sampling) {
            this.sampling = sampling;
            return this;
        }

        public Builder stop(List<String> stop) {
            this.stop = stop;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = OptionalLong.of(seed);
            return this;
        }

        public Builder reasoningEffort(String reasoningEffort) {
            this.reasoningEffort = Optional.of(reasoningEffort);
            return this;
        }

        public Builder stream(boolean stream) {
            this.stream = stream;
            return this;
        }

        public Builder streamOptions(StreamOptions streamOptions) {
            this.streamOptions = Optional.of(streamOptions);
            return this;
        }

        public Builder user(String user) {
            this.user = Optional.of(user);
            return this;
        }

        public Builder metadata(Map<String, String> metadata) {
            this.metadata = metadata;
            return this;
        }

        public Builder extensions(Extensions extensions) {
            this.extensions = extensions;
            return this;
        }

        /** The request. */
        public ChatRequest build() {
            return new ChatRequest(model, messages, tools, toolChoice, parallelToolCalls, responseFormat, sampling,
                    stop, seed, reasoningEffort, stream, streamOptions, user, metadata, extensions);
        }
    }
}
