package dev.veil.server.audit;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One call of a tool through the MCP gateway, as the audit chain records it: who called which tool of which server,
 * with which definition, what the policy decided and why, what personal data the arguments and the result held (as
 * counts by type, never values), how long it took and how it ended. Never the arguments or the result themselves.
 *
 * @param requestId the call's id ({@code x-veil-request-id} of the HTTP request that carried it)
 * @param keyId the caller's key id ({@code jwt} for a token)
 * @param tenant the caller's tenant
 * @param team the caller's team
 * @param user the user behind a token
 * @param server the upstream server's configured name
 * @param tool the tool's name on that server
 * @param definitionHash the {@code sha256:} hash of the definition called, when the tool was found
 * @param decisionId the policy decision's id, when the policy decided
 * @param allowed whether the policy allowed the call
 * @param reasons the policy's reasons
 * @param argumentFindings PII counts by type in the arguments, as the tool received them
 * @param resultFindings PII counts by type pseudonymized in the result
 * @param zeroRetention whether zero retention applied
 * @param latencyMicros from the call's arrival to its answer
 * @param outcome {@code ok}, {@code tool_error} (the tool answered with {@code isError}), {@code denied},
 *                {@code not_approved}, {@code timeout}, {@code unavailable}, {@code cancelled} or {@code error}
 */
public record ToolCallEvent(String requestId, String keyId, String tenant, String team, Optional<String> user,
                            String server, String tool, Optional<String> definitionHash, Optional<String> decisionId,
                            boolean allowed, List<String> reasons, Map<String, Integer> argumentFindings,
                            Map<String, Integer> resultFindings, boolean zeroRetention, long latencyMicros,
                            String outcome) implements AuditRecord {
    public ToolCallEvent {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(definitionHash, "definitionHash");
        Objects.requireNonNull(decisionId, "decisionId");
        reasons = List.copyOf(reasons);
        argumentFindings = Map.copyOf(argumentFindings);
        resultFindings = Map.copyOf(resultFindings);
        Objects.requireNonNull(outcome, "outcome");
    }
}
