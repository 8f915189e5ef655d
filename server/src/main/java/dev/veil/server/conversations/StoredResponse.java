package dev.veil.server.conversations;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One turn of a Responses API conversation as Veil keeps it, so that a later request naming it as
 * {@code previous_response_id} can be answered on any provider. The byte arrays are held, not copied: whoever builds
 * a record hands them over and does not change them afterwards.
 *
 * @param id the response id the client was given
 * @param tenant the tenant whose key made the request; only that tenant ever sees the record
 * @param previousId the response this one continued, if any
 * @param createdAt when the response was made
 * @param expiresAt when Veil forgets it
 * @param model the model the client asked for
 * @param inputItems this turn's input items as the client sent them (with their ids), as a JSON array
 * @param response the Response object sent to the client, as JSON, with personal data restored
 * @param pseudonyms placeholder to original value ({@code <PERSON_1>} to a name) for the whole conversation so far,
 *                   so that a placeholder means the same person in every turn
 * @param zeroRetention whether nothing of it may touch a disk: the exchange ran under zero retention, or the policy
 *                      keeps its conversation state in memory only
 */
public record StoredResponse(String id, String tenant, Optional<String> previousId, Instant createdAt,
                             Instant expiresAt, String model, byte[] inputItems, byte[] response,
                             Map<String, String> pseudonyms, boolean zeroRetention) {
    public StoredResponse {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(previousId, "previousId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(inputItems, "inputItems");
        Objects.requireNonNull(response, "response");
        if (id.isEmpty() || tenant.isEmpty()) {
            throw new IllegalArgumentException("a stored response needs an id and a tenant");
        }
        if (expiresAt.isBefore(createdAt)) {
            throw new IllegalArgumentException("a stored response cannot expire before it was made");
        }
        pseudonyms = Collections.unmodifiableMap(new LinkedHashMap<>(pseudonyms));
    }

    /** Whether the record is past its time at {@code now}: from {@code expiresAt} on, it is gone. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
