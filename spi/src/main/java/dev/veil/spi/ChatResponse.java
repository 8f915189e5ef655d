package dev.veil.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A complete (non-streamed) chat answer in canonical form. Build one with {@link #builder}: the canonical constructor
 * gains a parameter whenever a field is added.
 *
 * @param id the provider's response id
 * @param created creation time, seconds since the epoch
 * @param model the model that answered, as the provider named it
 * @param choices the generated answers
 * @param usage token usage, when the provider reported it
 * @param systemFingerprint the provider's backend fingerprint
 * @param extensions unknown top-level fields
 */
public record ChatResponse(
        String id,
        long created,
        String model,
        List<Choice> choices,
        Optional<Usage> usage,
        Optional<String> systemFingerprint,
        Extensions extensions) {

    public ChatResponse {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        choices = List.copyOf(choices);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(systemFingerprint, "systemFingerprint");
        Objects.requireNonNull(extensions, "extensions");
    }

    /** A builder of an answer with this id, creation time and model, without choices or usage until set. */
    public static Builder builder(String id, long created, String model) {
        return new Builder(id, created, model);
    }

    /** A builder holding these fields, for a copy that differs in some. */
    public Builder toBuilder() {
        Builder builder = new Builder(id, created, model);
        builder.choices = choices;
        builder.usage = usage;
        builder.systemFingerprint = systemFingerprint;
        builder.extensions = extensions;
        return builder;
    }

    /** A copy with other choices. */
    public ChatResponse withChoices(List<Choice> newChoices) {
        return new ChatResponse(id, created, model, newChoices, usage, systemFingerprint, extensions);
    }

    /** A copy carrying usage. */
    public ChatResponse withUsage(Usage newUsage) {
        return new ChatResponse(id, created, model, choices, Optional.of(newUsage), systemFingerprint, extensions);
    }

    /** A copy naming another model. */
    public ChatResponse withModel(String newModel) {
        return new ChatResponse(id, created, newModel, choices, usage, systemFingerprint, extensions);
    }

    /** Builds a {@link ChatResponse}; each method sets the field of the same name. Not thread-safe. */
    public static final class Builder {
        private String id;
        private long created;
        private String model;
        private List<Choice> choices = List.of();
        private Optional<Usage> usage = Optional.empty();
        private Optional<String> systemFingerprint = Optional.empty();
        private Extensions extensions = Extensions.NONE;

        private Builder(String id, long created, String model) {
            this.id = id;
            this.created = created;
            this.model = model;
        }

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder created(long created) {
            this.created = created;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder choices(List<Choice> choices) {
            this.choices = choices;
            return this;
        }

        public Builder usage(Usage usage) {
            this.usage = Optional.of(usage);
            return this;
        }

        public Builder systemFingerprint(String systemFingerprint) {
            this.systemFingerprint = Optional.of(systemFingerprint);
            return this;
        }

        public Builder extensions(Extensions extensions) {
            this.extensions = extensions;
            return this;
        }

        public ChatResponse build() {
            return new ChatResponse(id, created, model, choices, usage, systemFingerprint, extensions);
        }
    }
}
