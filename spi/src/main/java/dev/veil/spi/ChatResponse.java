package dev.veil.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A complete (non-streamed) chat answer in canonical form.
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

    /** A copy with other choices. */
    public ChatResponse withChoices(List<Choice> newChoices) {
        return new ChatResponse(id, created, model, newChoices, usage, systemFingerprint, extensions);
    }

    /** A copy naming another model. */
    public ChatResponse withModel(String newModel) {
        return new ChatResponse(id, created, newModel, choices, usage, systemFingerprint, extensions);
    }
}
