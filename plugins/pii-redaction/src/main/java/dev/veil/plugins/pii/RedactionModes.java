package dev.veil.plugins.pii;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.RedactionObligations;

/**
 * The redaction mode of each PII type: from config, with a default for types config does not name, and overridden
 * per request by the policy decision's {@code redact} obligations — the compliance officer's Rego has the last word.
 */
final class RedactionModes {
    private final Map<String, RedactionMode> configured;
    private final RedactionMode fallback;

    RedactionModes(Map<String, RedactionMode> configured, RedactionMode fallback) {
        this.configured = Map.copyOf(configured);
        this.fallback = fallback;
    }

    /** The configured mode of {@code type}. */
    RedactionMode of(String type) {
        return configured.getOrDefault(type, fallback);
    }

    /**
     * The mode of {@code type} under a decision's {@code redact} obligations.
     *
     * @throws VeilException when the decision names a mode that does not exist: a policy bug must not let data
     *                       through under a mode nobody chose
     */
    RedactionMode of(String type, RedactionObligations decided) {
        Optional<String> required = decided.mode(type);
        if (required.isEmpty()) {
            return of(type);
        }
        String mode = required.get();
        return RedactionMode.parse(mode).orElseThrow(() -> new VeilException(ErrorKind.INTERNAL,
                "The policy decision asks for redaction mode '" + mode + "' for " + type + ", which does not exist "
                + "(known: pseudonymize, mask, hash, block); the request was not sent")
                .withCode("policy_invalid_redact"));
    }

    /** The types among {@code found} whose mode under {@code decided} is {@code block}, sorted. */
    Set<String> blocked(Set<String> found, RedactionObligations decided) {
        Set<String> blocked = new TreeSet<>();
        for (String type : found) {
            if (of(type, decided) == RedactionMode.BLOCK) {
                blocked.add(type);
            }
        }
        return blocked;
    }
}
