package dev.veil.server.audit;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import dev.veil.spi.Usage;

/**
 * What the audit log records about one request, before it is encrypted. Content is supplied lazily, so that the
 * writer thread, not the request, pays for turning it into text; it is stored only when the log keeps content and
 * zero retention does not apply, and otherwise reduced to a SHA-256.
 *
 * @param requestId the {@code x-veil-request-id} of the request
 * @param surface the API surface, such as {@code openai.chat}
 * @param keyId the caller's key id, when the caller was authenticated
 * @param tenant the caller's tenant, when authenticated
 * @param team the caller's team, when authenticated
 * @param requestedModel the model the client asked for, when the request could be parsed
 * @param provider the provider that answered, if one did
 * @param servedModel the provider model that answered, if one did
 * @param attempts how many candidates were tried
 * @param decisionId the policy decision's id, when the policy decided
 * @param policyRevision which policies decided ({@code bundle:<name>@<revision>} or {@code sha256:<hex>}), when known
 * @param reasons the policy's reasons for a denial
 * @param findings PII finding counts by type, never values
 * @param usage token usage, when reported
 * @param costMicros what the answer cost at the configured prices, in micro-dollars, when priced
 * @param latencyMicros from arrival to the end of the answer
 * @param status the HTTP status the client got
 * @param error the error code or kind, when the request failed
 * @param cache what a cache did: hit, miss or bypass
 * @param zeroRetention whether zero retention applied; then no content is stored
 * @param zeroRetentionReason why it applied, as a code: tenant, label, data_class, all, header or policy
 * @param clientCancelled whether the client left before the answer was complete
 * @param prompt the request as sent upstream (placeholders, not personal data), when there was one
 * @param response the answer before placeholders were restored, when there was one
 * @param user the user behind a token, as its issuer's config names it (a pseudonym where configured); empty for
 *             keys
 */
public record AuditEvent(
        String requestId,
        String surface,
        Optional<String> keyId,
        Optional<String> tenant,
        Optional<String> team,
        Optional<String> requestedModel,
        Optional<String> provider,
        Optional<String> servedModel,
        int attempts,
        Optional<String> decisionId,
        Optional<String> policyRevision,
        List<String> reasons,
        Map<String, Integer> findings,
        Optional<Usage> usage,
        OptionalLong costMicros,
        long latencyMicros,
        int status,
        Optional<String> error,
        Optional<String> cache,
        boolean zeroRetention,
        Optional<String> zeroRetentionReason,
        boolean clientCancelled,
        Optional<Supplier<String>> prompt,
        Optional<Supplier<String>> response,
        Optional<String> user) implements AuditRecord {

    public AuditEvent {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(surface, "surface");
        reasons = List.copyOf(reasons);
        findings = Map.copyOf(findings);
        Objects.requireNonNull(user, "user");
    }

    /** An event of a caller without a user: one that presented a key. */
    public AuditEvent(String requestId, String surface, Optional<String> keyId, Optional<String> tenant,
                      Optional<String> team, Optional<String> requestedModel, Optional<String> provider,
                      Optional<String> servedModel, int attempts, Optional<String> decisionId,
                      Optional<String> policyRevision, List<String> reasons, Map<String, Integer> findings,
                      Optional<Usage> usage, OptionalLong costMicros, long latencyMicros, int status,
                      Optional<String> error, Optional<String> cache, boolean zeroRetention,
                      Optional<String> zeroRetentionReason, boolean clientCancelled,
                      Optional<Supplier<String>> prompt, Optional<Supplier<String>> response) {
        this(requestId, surface, keyId, tenant, team, requestedModel, provider, servedModel, attempts, decisionId,
                policyRevision, reasons, findings, usage, costMicros, latencyMicros, status, error, cache,
                zeroRetention, zeroRetentionReason, clientCancelled, prompt, response, Optional.empty());
    }
}
