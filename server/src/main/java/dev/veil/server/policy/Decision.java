package dev.veil.server.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import dev.veil.server.config.TargetRef;

/**
 * A policy decision (see docs/policy.md). Every field but {@code allow} is optional in the document OPA returns.
 *
 * @param allow whether the request may proceed
 * @param reasons why not, for the client
 * @param targets the candidates to use, in order, when the policy narrowed or reordered them
 * @param maxTokens an output token cap
 * @param zeroRetention whether zero retention is required
 * @param redact redaction modes by PII type
 * @param decisionId OPA's decision id when its decision logging is on, else one Veil gave the decision
 * @param conversationState where conversation state may be kept, when the policy said
 * @param revision which policies decided ({@link PolicyRevision}), when known
 * @param reuse whether and how the policy lets Veil reuse the decision for later inputs
 */
public record Decision(boolean allow, List<String> reasons, Optional<List<TargetRef>> targets, OptionalInt maxTokens,
                       Optional<Boolean> zeroRetention, Map<String, String> redact, Optional<String> decisionId,
                       Optional<ConversationState> conversationState, Optional<String> revision,
                       Optional<DecisionReuse> reuse) {
    public Decision {
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(zeroRetention, "zeroRetention");
        redact = Map.copyOf(redact);
        Objects.requireNonNull(decisionId, "decisionId");
        Objects.requireNonNull(conversationState, "conversationState");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(reuse, "reuse");
    }
}
