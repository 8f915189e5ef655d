package dev.veil.spi.plugin;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The redaction modes a policy decision requires by PII type ({@code PERSON} → {@code block}), for redaction plugins
 * to apply in the {@link DecisionPhase}; they override the plugin's own configuration. The value of
 * {@link Attributes#POLICY_REDACT}. Create it with {@link #of}.
 *
 * <p>Modes are kept as the policy wrote them ({@code pseudonymize}, {@code mask}, {@code hash}, {@code block} for
 * Veil's {@code pii-redaction}): the plugin that applies them decides what they mean, and must refuse a mode it does
 * not know rather than let data through under a mode nobody chose.
 *
 * @param modes the required mode by PII type
 */
public record RedactionObligations(Map<String, String> modes) {
    /** The decision requires nothing: each plugin applies its own configuration. */
    public static final RedactionObligations NONE = new RedactionObligations(Map.of());

    public RedactionObligations {
        modes = Map.copyOf(modes);
    }

    /** The modes a decision requires by PII type. */
    public static RedactionObligations of(Map<String, String> modes) {
        return modes.isEmpty() ? NONE : new RedactionObligations(modes);
    }

    /** The mode required for {@code type}, when the decision names one. */
    public Optional<String> mode(String type) {
        return Optional.ofNullable(modes.get(Objects.requireNonNull(type, "type")));
    }

    public boolean isEmpty() {
        return modes.isEmpty();
    }
}
